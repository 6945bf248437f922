"""使用说明: the product's own guide, one page per role, with screenshots of the demo year."""
