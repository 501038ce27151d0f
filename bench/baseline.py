"""The baselines postconv is measured against, run as separate processes like postconv.

    python bench/baseline.py floor FILE      # lxml iterparse + clear, nothing else
    python bench/baseline.py generic FILE    # + a dict of every leaf + json.dumps per item
"""

from __future__ import annotations

import json
import sys

from lxml import etree


def floor(path: str) -> int:
    count = 0
    for _event, element in etree.iterparse(path, events=("end",), tag="{*}Item"):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return count


def generic(path: str) -> int:
    """A bare generic converter: every leaf of each item into a dict, one JSON line each."""
    count = 0
    with open("/dev/null", "w", encoding="utf-8") as out:
        for _event, element in etree.iterparse(path, events=("end",), tag="{*}Item"):
            leaves = {}
            for node in element.iter():
                tag = node.tag
                if tag.__class__ is str and not len(node):
                    if tag[0] == "{":
                        tag = tag.rpartition("}")[2]
                    leaves[tag] = node.text
            out.write(json.dumps(leaves) + "\n")
            count += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return count


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    print({"floor": floor, "generic": generic}[mode](path), file=sys.stderr)
