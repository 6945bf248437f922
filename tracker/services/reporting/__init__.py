"""The annual report: figures, baselines, the generated draft and its Markdown, HTML and Word forms."""
