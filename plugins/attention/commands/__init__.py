"""Sub-commands of the ``attention`` CLI.

Each module here is a thin layer over a library function and exposes three names:
``HELP`` (one line), ``configure(parser)`` (adds its arguments) and ``run(args) -> int``
(returns the exit status). ``attention.cli.COMMANDS`` lists the ones that exist.
"""
