"""The HTML report: self-contained, correct totals, and charts that render in a browser."""

import re
import shutil
import subprocess

import pytest

from conftest import SAMPLE_INPUTS, SAMPLES, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    path = folder / "report.html"
    result = run("report", *[str(p) for p in SAMPLE_INPUTS], "-o", str(path), "-q")
    assert result.returncode == 0, result.stderr
    return path


def test_self_contained_and_printable(report):
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "url(" not in page and "@import" not in page
    urls = re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", page)
    assert urls == []
    assert "@media print" in page


def test_totals_and_sections(report):
    page = report.read_text(encoding="utf-8")
    assert "items<b>113</b>" in page
    assert ">documents.invoice</text>" in page  # required, shown even where nothing fails
    for section in ("Status breakdown", "Completeness per required element",
                    "Completeness per origin post", "Most frequent findings"):
        assert section in page
    assert "CBP CSMS #60011750" in page  # the legal source of the vague-description rule
    # examples by number, file and line
    assert re.search(r"<code>[A-Z]{2}\d{9}[A-Z]{2} [\w.-]+\.(xml|edi):\d+</code>", page)
    assert page.count('class="bar"') > 10


def test_report_escapes_data(tmp_path):
    from postconv.record import new_record
    from postconv.write.report import ReportData, render_report

    record = new_record()
    record["origin_post"] = "<script>alert(1)</script>"
    record["compliance"].update(status="complete", profile="us-2026", findings=[])
    data = ReportData(inputs=["<b>x</b>"])
    data.add(record)
    page = render_report(data, {}, "us")
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_report_renders_in_headless_chromium_with_visible_charts(report, tmp_path):
    from PIL import Image

    png = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1100,1600",
         f"--screenshot={png}", report.as_uri()],
        capture_output=True, timeout=120, check=False)
    assert png.exists(), "Chromium wrote no screenshot"
    image = Image.open(png).convert("RGB")
    assert image.size == (1100, 1600)
    colours = image.getcolors(maxcolors=1 << 20)
    counts = {colour: count for count, colour in colours}

    def pixels_near(target, tolerance=24):
        return sum(c for rgb, c in counts.items()
                   if all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True)))

    assert pixels_near((0x2E, 0x7D, 0x32)) > 5000  # green bars: complete
    assert pixels_near((0xC6, 0x28, 0x28)) > 2000  # red bars: invalid / worst posts
    assert pixels_near((0xF9, 0xA8, 0x25)) > 2000  # amber bars


def test_the_report_shows_each_input_and_is_not_written_over_nothing(tmp_path):
    target = tmp_path / "r.html"
    cut = tmp_path / "truncated.xml"
    cut.write_bytes((SAMPLES / "gba-20261120.xml").read_bytes()[:5000])
    result = run("report", str(SAMPLES / "jpa-20261122.xml"), str(tmp_path / "missing.xml"),
                 str(cut), "-o", str(target))
    assert result.returncode == 66
    page = target.read_text()
    inputs = page.split('<h2 id="inputs">', 1)[1].split("</table>", 1)[0]
    assert "jpa-20261122.xml</td><td>ok" in inputs
    assert "missing.xml</td><td>failed (exit 66)" in inputs and "no such file" in inputs
    assert "truncated.xml</td><td>failed (exit 65)" in inputs and "not well-formed" in inputs
    assert "tiers applied: us-2026 (4) ·" in page  # 1 item + the 3 before the cut
    only_missing = tmp_path / "nothing.html"
    again = run("report", str(tmp_path / "missing.xml"), "-o", str(only_missing))
    assert again.returncode == 66 and not only_missing.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_completeness_bars_near_100_percent_still_differ():
    from postconv.write.report import _bar_chart, axis_start

    assert axis_start([0.3, 1.0]) == 0.0 and axis_start([0.9991, 0.9999]) == 0.999
    chart = _bar_chart([("a", 0.9992, "99.92 %"), ("b", 0.9999, "99.99 %")])
    widths = [float(w) for w in re.findall(r'class="bar"[^>]*width="([\d.]+)"', chart)]
    assert widths[1] - widths[0] > 100  # on a 0–100 axis: under a pixel apart
    assert "The bars start at 99.9 %" in chart
    assert "start at" not in _bar_chart([("a", 0.3, "30 %"), ("b", 0.9, "90 %")])
