"""``python -m minigrad``: the chapter tour (the default) or ``train-digits``, LeNet on digits."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = (
    "Run the 2-D convolution chapter of Dive into Deep Learning on minigrad, section by section "
    "(tour, the default), or train LeNet on scikit-learn's handwritten digits (train-digits)."
)
GRAPH_HELP = "also show the graph behind the loss: DOT text, and an SVG when Graphviz is installed"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m minigrad", description=DESCRIPTION)
    parser.add_argument("--graph", action="store_true", help=GRAPH_HELP)
    sub = parser.add_subparsers(dest="command", title="commands", metavar="{tour,train-digits}")
    tour_help = "the chapter, section by section (the default)"
    tour_parser = sub.add_parser("tour", help=tour_help, description=f"The tour: {tour_help}.")
    tour_parser.add_argument("--graph", action="store_true", default=argparse.SUPPRESS, help=GRAPH_HELP)
    sub.add_parser("train-digits", help="train LeNet on scikit-learn's handwritten digits", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "train-digits":
        from minigrad.apps import digits

        digits.main(rest)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    from minigrad.apps import tour

    tour.main(show_graph=args.graph)


if __name__ == "__main__":
    main(sys.argv[1:])
