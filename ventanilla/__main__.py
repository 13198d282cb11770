"""The `ventanilla` console script: Django's management commands under one name.

`ventanilla import org FILE` is the `import` command with `org` as its first argument;
`ventanilla demo-data ...` is the `demo-data` command; and so on.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
