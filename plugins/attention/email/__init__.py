"""The email edition of each digest, built with the site (see :mod:`attention.email.edition`)."""
