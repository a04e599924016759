"""Writes the small sample files that the README's commands read, beside this script. Run it again and the
files come out the same, byte for byte (a fixed seed, Python's own random module, no other dependency).

- housing.csv, housing-2024.csv: a synthetic housing market (made up here, so free of any licence): eight
  numeric columns, one categorical (`ocean_proximity`), some cells missing (`NA`), and the target
  `median_house_value` computed from them plus noise. 1000 and 200 rows.
- listings.csv: 100 rows of the same columns without the target, in another column order, to predict for.
- new-birds.csv: 12 birds of penguins.csv (CC0) without their species, with the columns in another order.
"""

import csv
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = [
    "median_income", "house_age", "rooms", "bedrooms", "population", "occupancy", "latitude", "longitude",
    "ocean_proximity", "median_house_value",
]
PROXIMITY = {"inland": -40_000, "near bay": 60_000, "near ocean": 45_000, "<1h ocean": 30_000}


def house(rng):
    income = max(0.5, rng.gauss(3.9, 1.8))
    age = rng.randint(1, 52)
    rooms = max(1.5, rng.gauss(5.4, 1.2))
    bedrooms = max(0.8, rooms * rng.uniform(0.17, 0.25))
    population = int(max(30, rng.lognormvariate(7.0, 0.6)))
    occupancy = max(1.0, rng.gauss(2.9, 0.6))
    latitude = rng.uniform(32.5, 42.0)
    longitude = rng.uniform(-124.3, -114.3)
    proximity = rng.choice(list(PROXIMITY))
    value = (
        40_000 * income + 900 * age + 6_000 * (rooms - 5) - 12_000 * (occupancy - 3)
        + PROXIMITY[proximity] - 3_000 * abs(latitude - 36) + 20_000 * math.sin(longitude)
        + rng.gauss(0, 25_000)
    )
    row = {
        "median_income": f"{income:.4f}", "house_age": str(age), "rooms": f"{rooms:.3f}",
        "bedrooms": f"{bedrooms:.3f}", "population": str(population), "occupancy": f"{occupancy:.3f}",
        "latitude": f"{latitude:.2f}", "longitude": f"{longitude:.2f}", "ocean_proximity": proximity,
        "median_house_value": f"{max(15_000.0, value):.1f}",
    }
    # About one row in fifty misses a cell, as survey data does.
    if rng.random() < 0.02:
        row[rng.choice(COLUMNS[:8])] = "NA"
    return row


def write(name, rows, columns):
    with open(HERE / name, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({c: row[c] for c in columns})


def main():
    rng = random.Random(2026)
    write("housing.csv", [house(rng) for _ in range(1000)], COLUMNS)
    write("housing-2024.csv", [house(rng) for _ in range(200)], COLUMNS)
    shuffled = COLUMNS[:-1]
    rng.shuffle(shuffled)
    write("listings.csv", [house(rng) for _ in range(100)], shuffled)

    with open(HERE / "penguins.csv", newline="") as f:
        birds = [r for r in csv.DictReader(f) if "NA" not in r.values()]
    picked = rng.sample(birds, 12)
    columns = ["sex", "body_mass_g", "island", "flipper_length_mm", "bill_depth_mm", "bill_length_mm", "year"]
    write("new-birds.csv", picked, columns)


if __name__ == "__main__":
    main()
