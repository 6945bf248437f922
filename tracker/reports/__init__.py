"""The report page: generate, preview, edit by section, download; baselines, catalogue and template."""
