#!/usr/bin/env python3
"""Draws the app icons (public/icons/*.png) with nothing but the standard library.

The emblem: a white house (a home for old age, 养老) with a gold coin in its door, on the app's
deep green. `icon-*` have rounded corners on transparency; `maskable-512` fills the square and
keeps the emblem inside the central 80% safe zone, as Android's masks require.

    python3 app/tools/make_icons.py   # from the repository root

When Debian's optipng is there, each file is then recompressed losslessly by it (`optipng -o7
-zm1-9`, a palette instead of RGBA), as the committed files were: icon-192, which every first
visit loads, is 1,279 B instead of 1,849 B.
"""
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

GREEN = (11, 93, 75)
WHITE = (255, 255, 255)
GOLD = (242, 178, 51)
SAMPLES = 4  # 4x4 supersampling for smooth edges


def rounded_square(x, y, radius):
    """Unit square with rounded corners; coordinates in [0, 1]."""
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def emblem(x, y):
    """Colour of the emblem at (x, y) in the emblem's own unit square, or None."""
    # Roof: a triangle from (0.12, 0.48) to (0.88, 0.48) with its apex at (0.5, 0.12).
    if 0.12 <= y <= 0.48:
        half = (y - 0.12) / 0.36 * 0.38
        if abs(x - 0.5) <= half:
            return WHITE
    # Body of the house.
    if 0.22 <= x <= 0.78 and 0.46 <= y <= 0.88:
        # The coin in the door, with a square hole like an old Chinese coin.
        dx, dy = x - 0.5, y - 0.66
        if dx * dx + dy * dy <= 0.14 ** 2:
            if abs(dx) <= 0.035 and abs(dy) <= 0.035:
                return GREEN
            return GOLD
        return WHITE
    return None


def pixel(u, v, maskable):
    """RGBA at (u, v) in [0, 1]^2."""
    if not maskable and not rounded_square(u, v, 0.18):
        return None
    # Maskable icons keep the emblem within the 80% safe circle; the others use more room.
    scale = 0.62 if maskable else 0.74
    ex = (u - 0.5) / scale + 0.5
    ey = (v - 0.5) / scale + 0.5
    colour = emblem(ex, ey) if 0 <= ex <= 1 and 0 <= ey <= 1 else None
    return colour or GREEN


def render(size, maskable):
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    u = (px + (sx + 0.5) / SAMPLES) / size
                    v = (py + (sy + 0.5) / SAMPLES) / size
                    c = pixel(u, v, maskable)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 255
            n = SAMPLES * SAMPLES
            alpha = acc[3] / n
            if alpha:
                # Colour averaged over covered samples only (straight alpha).
                covered = acc[3] / 255
                row += bytes([round(acc[0] / covered), round(acc[1] / covered), round(acc[2] / covered), round(alpha)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = Path(__file__).resolve().parents[2] / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [("icon-192", 192, False), ("icon-512", 512, False), ("maskable-512", 512, True)]:
        path = out / f"{name}.png"
        path.write_bytes(render(size, maskable))
        if shutil.which("optipng"):
            subprocess.run(["optipng", "-quiet", "-o7", "-zm1-9", str(path)], check=True)
        print(f"wrote {path} ({path.stat().st_size} B)")


if __name__ == "__main__":
    main()
