"""Build-time parts of the plugin: reading and checking sources, templates, feeds, sitemap."""
