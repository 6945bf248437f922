"""Rankings (排名) and the 通报: 办结率 and 按期办结率 by organisation, unit or owner."""
