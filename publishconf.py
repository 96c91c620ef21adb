"""Production settings (`make publish`): absolute URLs, drafts not written at all."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://attention.example.org")
RELATIVE_URLS = False
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DELETE_OUTPUT_DIRECTORY = True
