"""How one agency's record of a person differs from the truth: spellings and dates of birth.

Inspections found person records heavily duplicated and inconsistent (DOMAIN.md section 7);
the demo reproduces the common kinds so identity resolution has real work to do.
"""

import random
from collections.abc import Sequence
from datetime import date

from safeguard.demo.scenario import Noise
from safeguard.records import vocabulary as v


class Misspeller:
    """Spell a name the way a busy clerk might: a confusable variant or a slip of the keys."""

    def __init__(self, variant_groups: Sequence[Sequence[str]]):
        self._variants = {name: group for group in variant_groups for name in group}

    def __call__(self, rng: random.Random, name: str) -> str:
        """Return a different spelling of `name` (the name itself when it is too short)."""
        group = self._variants.get(name)
        if group is not None:
            return rng.choice([other for other in group if other != name])
        if len(name) < 4:
            return name
        i = rng.randrange(1, len(name) - 1)
        match rng.randrange(3):
            case 0:  # a letter dropped
                return name[:i] + name[i + 1 :]
            case 1:  # a letter doubled
                return name[:i] + name[i] + name[i:]
            case _:  # two letters swapped
                swapped = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
                return swapped if swapped != name else name[:i] + name[i + 1 :]


def recorded_name(
    rng: random.Random, noise: Noise, misspell: Misspeller, given: str, family: str
) -> tuple[str, str]:
    """Return (given, family) as one agency recorded them."""
    if rng.random() < noise.misspelt_name:
        if rng.random() < 0.5:
            return misspell(rng, given), family
        return given, misspell(rng, family)
    return given, family


def recorded_dob(rng: random.Random, noise: Noise, dob: date) -> tuple[date | None, v.DobPrecision]:
    """Return the date of birth and its precision as one agency recorded them."""
    roll = rng.random()
    if roll < noise.dob_unknown:
        return None, v.DobPrecision.EXACT
    roll -= noise.dob_unknown
    if roll < noise.day_month_swapped and dob.day <= 12 and dob.day != dob.month:
        return date(dob.year, dob.day, dob.month), v.DobPrecision.EXACT
    roll -= noise.day_month_swapped
    if roll < noise.year_off:
        year = dob.year + rng.choice((-1, 1))
        day = 28 if (dob.month, dob.day) == (2, 29) else dob.day
        return date(year, dob.month, day), v.DobPrecision.EXACT
    return dob, v.DobPrecision.EXACT


def recorded_ethnicity(rng: random.Random, noise: Noise, ethnicity: str) -> str:
    """Return the self-defined ethnicity as one agency recorded it: as given, or left blank.

    `rng` is the world's random source for recording ethnicity, not its main one, so that
    every other field of every record is the same with or without it.
    """
    return "" if rng.random() < noise.ethnicity_blank else ethnicity
