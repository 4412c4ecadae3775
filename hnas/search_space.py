"""The ResNet-48 search space and its 52-character architecture code.

This module is the single owner of the code format (DESIGN §2): parsing, validation,
encoding, width tables, per-stage candidate sets, sampling of random / largest /
smallest architectures from a caller-supplied RNG, Hamming distance and space size.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

CODE_LENGTH = 52
IMAGE_SIZES = {1: 224}
STEM_BASE_WIDTH = 64
STAGE_BASE_WIDTHS = (64, 128, 256, 512)
STAGE_STRIDES = (1, 2, 2, 2)
STAGE_MAX_DEPTHS = (5, 5, 8, 5)
STAGE_MIN_DEPTH = 2
NUM_STAGES = 4
WIDTH_RATIOS = (1.0, 0.95, 0.90, 0.85, 0.80, 0.75, 0.70)  # width code k -> ratio [k-1]
WIDTH_CODES = tuple(range(1, len(WIDTH_RATIOS) + 1))
BLOCKS_OFFSET = 6  # chars 0..5: image index, four depths, stem code


class InvalidCodeError(ValueError):
    """An architecture code broke one of the rules of DESIGN §2."""

    def __init__(self, code: str, rule: str, key: str | None = None):
        self.code, self.rule, self.key = code, rule, key
        where = f"{key}: " if key is not None else ""
        super().__init__(f"{where}invalid architecture code {code!r}: {rule}")


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round to a multiple of `divisor`, never below it nor more than 10% down."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


WIDTH_TABLES = {
    base: tuple(make_divisible(base * r) for r in WIDTH_RATIOS)
    for base in sorted({STEM_BASE_WIDTH, *STAGE_BASE_WIDTHS})
}


def channels(base: int, width_code: int, width_mult: float = 1.0) -> int:
    """Channel count of a conv with base width `base` and width code 1..7."""
    full = WIDTH_TABLES[base][width_code - 1]
    if width_mult == 1.0:
        return full
    return max(1, int(round(full * width_mult)))


def slot_position(stage: int, block: int) -> int:
    """Index in the code of the first char of (stage, block)'s slot."""
    return BLOCKS_OFFSET + 2 * (sum(STAGE_MAX_DEPTHS[:stage]) + block)


@dataclass(frozen=True)
class Arch:
    """A decoded architecture: image index, stem code, per-stage active blocks.

    `stages[s]` holds one `(first_conv_code, second_conv_code)` pair per active block of
    stage s; the stage depth is its length.
    """

    image: int
    stem: int
    stages: tuple[tuple[tuple[int, int], ...], ...]

    @property
    def depths(self) -> tuple[int, ...]:
        return tuple(len(blocks) for blocks in self.stages)

    @property
    def resolution(self) -> int:
        return IMAGE_SIZES[self.image]

    def stream_code(self, stage: int) -> int:
        """Width code of the residual stream of a stage (its blocks' second convs)."""
        return self.stages[stage][0][1]

    def encode(self) -> str:
        chars = [str(self.image), *(str(d) for d in self.depths), str(self.stem)]
        for stage, blocks in enumerate(self.stages):
            for b in range(STAGE_MAX_DEPTHS[stage]):
                chars.append("%d%d" % blocks[b] if b < len(blocks) else "00")
        return "".join(chars)

    def __str__(self) -> str:
        return self.encode()


def parse_code(code: str, key: str | None = None) -> Arch:
    """Decode and validate a 52-char code; raise InvalidCodeError naming the rule."""
    if not isinstance(code, str):
        raise InvalidCodeError(repr(code), f"must be a string, got {type(code).__name__}", key)
    if len(code) != CODE_LENGTH:
        raise InvalidCodeError(code, f"length must be {CODE_LENGTH}, got {len(code)}", key)
    for pos, ch in enumerate(code):
        if ch not in "0123456789":
            raise InvalidCodeError(code, f"non-digit character {ch!r} at position {pos}", key)
    digits = [int(ch) for ch in code]
    if digits[0] not in IMAGE_SIZES:
        raise InvalidCodeError(
            code, f"unknown image-size index {digits[0]} at position 0 (known: {sorted(IMAGE_SIZES)})", key)
    depths = digits[1:5]
    for s, depth in enumerate(depths):
        if not STAGE_MIN_DEPTH <= depth <= STAGE_MAX_DEPTHS[s]:
            raise InvalidCodeError(
                code, f"stage {s + 1} depth {depth} at position {s + 1} is out of range "
                f"{STAGE_MIN_DEPTH}..{STAGE_MAX_DEPTHS[s]}", key)
    stem = digits[5]
    if stem not in WIDTH_CODES:
        raise InvalidCodeError(code, f"stem width code {stem} at position 5 is not in 1..7", key)
    stages = []
    for s, depth in enumerate(depths):
        blocks = []
        for b in range(STAGE_MAX_DEPTHS[s]):
            pos = slot_position(s, b)
            pair = (digits[pos], digits[pos + 1])
            if b < depth:
                for offset, c in enumerate(pair):
                    if c not in WIDTH_CODES:
                        raise InvalidCodeError(
                            code, f"stage {s + 1} block {b + 1} is active but its width code {c} "
                            f"at position {pos + offset} is not in 1..7", key)
                blocks.append(pair)
            elif pair != (0, 0):
                raise InvalidCodeError(
                    code, f"stage {s + 1} block {b + 1} lies beyond depth {depth} and must be '00', "
                    f"got '{code[pos:pos + 2]}' at position {pos}", key)
        seconds = {second for _, second in blocks}
        if len(seconds) != 1:
            raise InvalidCodeError(
                code, f"residual tie broken: stage {s + 1} second-conv codes differ "
                f"({sorted(seconds)}); all blocks of a stage add onto one residual stream", key)
        stages.append(tuple(blocks))
    if stages[0][0][1] != stem:
        raise InvalidCodeError(
            code, f"residual tie broken: stage 1 second-conv code {stages[0][0][1]} differs from "
            f"stem code {stem}; stage 1's residual stream is the stem output", key)
    return Arch(image=digits[0], stem=stem, stages=tuple(stages))


def as_arch(arch: Arch | str, key: str | None = None) -> Arch:
    """Accept either an Arch or a code string."""
    return arch if isinstance(arch, Arch) else parse_code(arch, key)


def hamming_distance(code_a: str, code_b: str) -> int:
    """Differing characters over chars 5.. (the width and slot part of the code)."""
    if len(code_a) != len(code_b):
        raise ValueError(f"codes differ in length: {len(code_a)} vs {len(code_b)}")
    return sum(a != b for a, b in zip(code_a[5:], code_b[5:]))


@dataclass(frozen=True)
class SearchSpace:
    """Candidate sets: allowed depths per stage, allowed width codes per group.

    Width groups are the stem and the four stages.  Stage 1's residual stream is tied to
    the stem, so its second-conv code always equals the stem code, drawn from `stem_codes`.
    A smaller width code means a wider layer: code 1 is ratio 1.0.
    """

    stem_codes: tuple[int, ...] = WIDTH_CODES
    stage_codes: tuple[tuple[int, ...], ...] = (WIDTH_CODES,) * NUM_STAGES
    stage_depths: tuple[tuple[int, ...], ...] = tuple(
        tuple(range(STAGE_MIN_DEPTH, m + 1)) for m in STAGE_MAX_DEPTHS)
    image_codes: tuple[int, ...] = (1,)
    name: str = field(default="full", compare=False)

    def __post_init__(self):
        if len(self.stage_codes) != NUM_STAGES or len(self.stage_depths) != NUM_STAGES:
            raise ValueError("a search space needs codes and depths for exactly 4 stages")
        groups = {"stem": self.stem_codes, **{f"stage{s + 1}": c for s, c in enumerate(self.stage_codes)}}
        for group, codes in groups.items():
            if not codes or any(c not in WIDTH_CODES for c in codes):
                raise ValueError(f"search space {group} width codes {list(codes)} must be a non-empty subset of 1..7")
        for s, depths in enumerate(self.stage_depths):
            if not depths or any(not STAGE_MIN_DEPTH <= d <= STAGE_MAX_DEPTHS[s] for d in depths):
                raise ValueError(f"search space stage{s + 1} depths {list(depths)} must lie in "
                                 f"{STAGE_MIN_DEPTH}..{STAGE_MAX_DEPTHS[s]}")
        if any(i not in IMAGE_SIZES for i in self.image_codes):
            raise ValueError(f"search space image codes {list(self.image_codes)} must be in {sorted(IMAGE_SIZES)}")

    @classmethod
    def full(cls) -> "SearchSpace":
        return cls(name="full")

    @classmethod
    def test_distribution(cls) -> "SearchSpace":
        """The narrower space the 45,000 official test codes are drawn from."""
        small, mid = (1, 2, 3), (1, 2, 3, 4, 5)
        return cls(stem_codes=small, stage_codes=(small, small, mid, WIDTH_CODES), name="test")

    @classmethod
    def from_config(cls, cfg: dict | str | None) -> "SearchSpace":
        """Build from a name ('full' / 'test') or a dict with optional keys
        stem_codes, stage_codes (4 lists), stage_depths (4 lists), base ('full'/'test')."""
        if cfg is None or cfg == "full":
            return cls.full()
        if cfg == "test":
            return cls.test_distribution()
        if isinstance(cfg, str):
            raise ValueError(f"unknown search space {cfg!r} (known: 'full', 'test', or a mapping)")
        unknown = set(cfg) - {"base", "stem_codes", "stage_codes", "stage_depths"}
        if unknown:
            raise ValueError(f"unknown search space keys: {sorted(unknown)}")
        base = cls.from_config(cfg.get("base", "full"))
        return cls(
            stem_codes=tuple(cfg.get("stem_codes", base.stem_codes)),
            stage_codes=tuple(tuple(c) for c in cfg.get("stage_codes", base.stage_codes)),
            stage_depths=tuple(tuple(d) for d in cfg.get("stage_depths", base.stage_depths)),
            name="custom")

    def contains(self, arch: Arch | str) -> bool:
        arch = as_arch(arch)
        if arch.image not in self.image_codes or arch.stem not in self.stem_codes:
            return False
        for s, blocks in enumerate(arch.stages):
            if len(blocks) not in self.stage_depths[s]:
                return False
            if any(first not in self.stage_codes[s] for first, _ in blocks):
                return False
            stream_set = self.stem_codes if s == 0 else self.stage_codes[s]
            if arch.stream_code(s) not in stream_set:
                return False
        return True

    def _build(self, image, stem, depths, first_codes, stream_codes) -> Arch:
        stages = []
        for s in range(NUM_STAGES):
            stream = stem if s == 0 else stream_codes[s]
            stages.append(tuple((first_codes[s][b], stream) for b in range(depths[s])))
        return Arch(image=image, stem=stem, stages=tuple(stages))

    def random(self, rng: random.Random) -> Arch:
        """Uniform draw: depth per stage, then each code independently."""
        image = rng.choice(self.image_codes)
        stem = rng.choice(self.stem_codes)
        depths = [rng.choice(d) for d in self.stage_depths]
        firsts = [[rng.choice(self.stage_codes[s]) for _ in range(depths[s])] for s in range(NUM_STAGES)]
        streams = [None] + [rng.choice(self.stage_codes[s]) for s in range(1, NUM_STAGES)]
        return self._build(image, stem, depths, firsts, streams)

    def largest(self) -> Arch:
        """Deepest stages, widest (smallest) code everywhere."""
        depths = [max(d) for d in self.stage_depths]
        firsts = [[min(self.stage_codes[s])] * depths[s] for s in range(NUM_STAGES)]
        streams = [None] + [min(self.stage_codes[s]) for s in range(1, NUM_STAGES)]
        return self._build(max(self.image_codes), min(self.stem_codes), depths, firsts, streams)

    def smallest(self) -> Arch:
        """Shallowest stages, narrowest (largest) code everywhere."""
        depths = [min(d) for d in self.stage_depths]
        firsts = [[max(self.stage_codes[s])] * depths[s] for s in range(NUM_STAGES)]
        streams = [None] + [max(self.stage_codes[s]) for s in range(1, NUM_STAGES)]
        return self._build(min(self.image_codes), max(self.stem_codes), depths, firsts, streams)

    def size(self) -> int:
        """Exact number of distinct valid codes in this space."""
        total = len(self.image_codes) * len(self.stem_codes)
        for s in range(NUM_STAGES):
            total *= sum(len(self.stage_codes[s]) ** d for d in self.stage_depths[s])
            if s > 0:
                total *= len(self.stage_codes[s])
        return total

    def describe(self) -> dict:
        return {"name": self.name, "stem_codes": list(self.stem_codes),
                "stage_codes": [list(c) for c in self.stage_codes],
                "stage_depths": [list(d) for d in self.stage_depths], "size": self.size()}
