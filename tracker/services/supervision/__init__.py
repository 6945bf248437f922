"""督办单 (supervision notices): issue, number, answer, list, escalate when overdue, and the Word notice."""
