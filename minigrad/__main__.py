"""``python -m minigrad``: the chapter tour; ``python -m minigrad train-digits``: LeNet on digits."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m minigrad", description=__doc__)
    parser.add_argument("--graph", action="store_true", help="also print the graph behind the loss (DOT)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("tour", help="the 2-D convolution chapter, section by section (default)")
    sub.add_parser("train-digits", help="train LeNet on scikit-learn's handwritten digits", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "train-digits":
        from minigrad import digits

        digits.main(rest)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    from minigrad import tour

    tour.main(show_graph=args.graph)


if __name__ == "__main__":
    main(sys.argv[1:])
