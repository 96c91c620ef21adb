"""Site settings for development builds (`make html`). Production overrides: publishconf.py."""

AUTHOR = "מיכל ברק"
SITENAME = "קשב"
SITESUBTITLE = "הניוזלטר השבועי על מה שתופס תשומת לב בשיווק, ברשתות ובטכנולוגיה"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["attention"]

TIMEZONE = "Asia/Jerusalem"
DEFAULT_LANG = "he"
# Languages an article may declare with `Lang:`; anything else fails the build naming the file.
ATTENTION_LANGUAGES = ("he", "en", "it")
# The newsletter's name per language: digest titles read "<name> #N: topic, topic, topic".
NEWSLETTER_NAME = {"he": "קשב", "en": "Attention", "it": "Attenzione"}
CONTACT_EMAIL = "hello@example.org"

ARTICLE_PATHS = ["digests", "briefs"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
DEFAULT_CATEGORY = "brief"
USE_FOLDER_AS_CATEGORY = False

# Dates are formatted with Babel in the templates (`localdate` filter), never with OS locales.
# Every article states its `Date:` (the reader says so when one is missing); no date or
# modification time is taken from the file system, where a checkout would reset it.
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

# URLs: human ASCII slugs; digests live at digests/<issue>-<slug>/ (set by the plugin).
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{date:%Y}/{date:%m}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{date:%Y}/{date:%m}/{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
DRAFT_LANG_URL = "drafts/{lang}/{slug}/"
DRAFT_LANG_SAVE_AS = "drafts/{lang}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
YEAR_ARCHIVE_URL = "archives/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "archives/{date:%Y}/index.html"
MONTH_ARCHIVE_URL = "archives/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "archives/{date:%Y}/{date:%m}/index.html"
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives", "issues", "404"]
ISSUES_SAVE_AS = "issues/index.html"
ISSUES_URL = "issues/"
# Search pages: search/ and <lang>/search/ (attention.site.searchpage); `python -m
# attention.search output` builds their Pagefind index after Pelican.
SEARCH_SAVE_AS = "search/index.html"
SEARCH_URL = "search/"

DEFAULT_PAGINATION = 20
# Pelican's default pattern lets page 2 of tag "x2" collide with tag "x22".
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Human ASCII slugs for names that are not ASCII (authors, tags, categories).
SLUGS = {"מיכל ברק": "michal-barak", "Daniel Rossi": "daniel-rossi"}
# Display labels per language for ASCII tag and category slugs.
TAXONOMY_LABELS = {
    "digest": {"he": "גיליונות", "en": "Issues", "it": "Numeri"},
    "brief": {"he": "תקצירים", "en": "Briefs", "it": "In breve"},
    "ai-search": {"he": "חיפוש ו-AI", "en": "AI search", "it": "Ricerca e AI"},
    "linkedin": {"he": "LinkedIn", "en": "LinkedIn", "it": "LinkedIn"},
    "tiktok": {"he": "TikTok", "en": "TikTok", "it": "TikTok"},
    "threads": {"he": "Threads", "en": "Threads", "it": "Threads"},
    "creators": {"he": "יוצרים", "en": "Creators", "it": "Creator"},
    "newsletters": {"he": "ניוזלטרים", "en": "Newsletters", "it": "Newsletter"},
    "retail-media": {"he": "ריטייל מדיה", "en": "Retail media", "it": "Retail media"},
    "privacy": {"he": "פרטיות", "en": "Privacy", "it": "Privacy"},
    "video": {"he": "וידאו", "en": "Video", "it": "Video"},
    "podcasts": {"he": "פודקאסטים", "en": "Podcasts", "it": "Podcast"},
}

# Section ids come from attr_list (`## Heading {#ascii-id}`): the toc extension would slugify
# Hebrew headings into empty ids, and costs build time.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
    },
    "output_format": "html5",
}

# Feeds are written by the plugin (attention.site.feeds): full content, xml:lang, per language,
# category and tag, Atom + RSS + JSON Feed. Pelican's own feed writer is switched off.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
ATTENTION_FEED_MAX_ITEMS = 20
ATTENTION_TAXONOMY_FEED_MAX_ITEMS = 10  # per category and per tag

# Subscribing. Provider: "buttondown" (username), "listmonk" (url + list UUIDs),
# "mailchimp" (form action) or "form" (any form action URL); None explains feed subscription.
SUBSCRIBE = {
    "provider": "buttondown",
    "username": "kashev-example",
}

# Comments on articles: off (None) by default, and then nothing is loaded from anywhere. Either
# {"provider": "giscus", "repo": "owner/name", "repo_id": "...", "category": "...",
#  "category_id": "..."} or {"provider": "remark42", "host": "https://remark42.example.org",
#  "site_id": "attention"}.
COMMENTS = None
# The share image for pages without an `Image:` of their own (theme/static/images, 1200×630).
SHARE_IMAGE = {"path": "theme/images/share-default.png", "width": 1200, "height": 630}

# --- Email edition and delivery (attention.email, attention.send) -------------------------------
# Owned by the email feature; documented in README, "Email edition and delivery". Secrets (SMTP
# user and password, listmonk and Buttondown credentials) come from the environment only.
# Links in the email edition must be absolute: SITEURL when it is (publishconf.py), else this.
EMAIL_SITEURL = "https://attention.example.org"
EMAIL_MAX_BYTES = 90 * 1024  # HTML budget per edition; Gmail clips messages at 102 KB
EMAIL_FROM = "קשב <hello@example.org>"
EMAIL_REPLY_TO = CONTACT_EMAIL
EMAIL_SMTP_HOST = ""  # or $ATTENTION_SMTP_HOST
EMAIL_SMTP_PORT = 587
EMAIL_SMTP_SECURITY = "starttls"  # "starttls", "ssl" (port 465) or "none"
EMAIL_SMTP_RATE = 20  # messages per second over the whole pool; 0 = no limit
EMAIL_SMTP_POOL = 4  # SMTP connections in parallel
EMAIL_UNSUBSCRIBE_MAILTO = CONTACT_EMAIL  # List-Unsubscribe mailto: target
EMAIL_UNSUBSCRIBE_URL = ""  # https://…/unsubscribe?t={token} once an endpoint exists
EMAIL_LISTMONK_LISTS = []  # listmonk list ids (or $LISTMONK_LISTS, or --list)
EMAIL_LISTMONK_TEMPLATE_ID = None  # a listmonk template that is only {{ template "content" . }}
