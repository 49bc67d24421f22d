"""``make run``: answer the seed threads' questions (``python -m symgrad.seeds``)."""

from __future__ import annotations

from . import Network, gradients

RULE = "=" * 78


def seed_002_gradients() -> str:
    """The worked example of seed 002: w1 = w2 = 1, b1 = b2 = -1, x = (0, 2, 3), y = (-2, 2, 0)."""
    result = gradients(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
                       x="0; 2; 3", y="-2; 2; 0")
    return result.to_text()


def main() -> None:
    print(RULE)
    print("Seed 002: exact gradients of the worked example (3 samples)")
    print(RULE)
    print(seed_002_gradients())


if __name__ == "__main__":
    main()
