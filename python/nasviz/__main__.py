"""``python -m nasviz ARGS...`` runs the bundled nasviz executable."""

import subprocess
import sys

from . import binary


def main() -> int:
    try:
        exe = binary()
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return subprocess.call([exe, *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
