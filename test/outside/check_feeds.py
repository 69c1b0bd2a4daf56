#!/usr/bin/env python3
"""Outside-client check of Dispatch feeds with feedparser, the parser most feed readers' behaviour follows.

Not part of `npm test` (it needs python3-feedparser). For each file or URL: RSS and Atom must parse with
bozo == 0, hold the expected number of entries, and give every entry an id, title, link and published date;
a JSON Feed must carry the JSON Feed 1.1 required fields. Exits 1 with one line per failure.

    npx tsx test/outside/render-feed-fixtures.ts /tmp/feeds
    python3 test/outside/check_feeds.py --entries 3 /tmp/feeds/rss.xml /tmp/feeds/atom.xml /tmp/feeds/feed.json
"""
import argparse
import json
import sys
import urllib.request

import feedparser

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def read(source):
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:
            return response.read()
    with open(source, "rb") as handle:
        return handle.read()


def check_xml(source, raw, expected):
    failures = []
    parsed = feedparser.parse(raw)
    if parsed.bozo:
        failures.append(f"bozo=1: {parsed.bozo_exception!r}")
    if not parsed.version.startswith(("rss20", "atom10")):
        failures.append(f"not RSS 2.0 or Atom 1.0 (feedparser says {parsed.version or 'unknown'!r})")
    if not parsed.feed.get("title"):
        failures.append("feed has no title")
    if expected is not None and len(parsed.entries) != expected:
        failures.append(f"{len(parsed.entries)} entries, expected {expected}")
    for index, entry in enumerate(parsed.entries):
        for field in ("id", "title", "link", "published"):
            if not entry.get(field):
                failures.append(f"entry {index} ({entry.get('id', '?')}) has no {field}")
        if entry.get("published") and not entry.get("published_parsed"):
            failures.append(f"entry {index} published date {entry.published!r} does not parse")
    ids = [entry.get("id") for entry in parsed.entries]
    if len(set(ids)) != len(ids):
        failures.append("entry ids are not unique")
    return failures, f"{parsed.version}, {len(parsed.entries)} entries"


def check_json(source, raw, expected):
    failures = []
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"not JSON: {error}"], ""
    if document.get("version") != JSON_FEED_VERSION:
        failures.append(f"version is {document.get('version')!r}, expected {JSON_FEED_VERSION!r}")
    if not isinstance(document.get("title"), str) or not document["title"]:
        failures.append("title missing")
    if "author" in document:
        failures.append("top-level 'author' is JSON Feed 1.0; 1.1 uses 'authors'")
    if "authors" in document and not isinstance(document["authors"], list):
        failures.append("authors is not an array")
    items = document.get("items")
    if not isinstance(items, list):
        return failures + ["items missing"], ""
    if expected is not None and len(items) != expected:
        failures.append(f"{len(items)} items, expected {expected}")
    for index, item in enumerate(items):
        if not isinstance(item.get("id"), str) or not item["id"]:
            failures.append(f"item {index} has no string id")
        if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
            failures.append(f"item {index} has neither content_html nor content_text")
        if "author" in item:
            failures.append(f"item {index} uses 'author'; 1.1 uses 'authors'")
        if "authors" in item and not isinstance(item["authors"], list):
            failures.append(f"item {index} authors is not an array")
    return failures, f"JSON Feed 1.1, {len(items)} items"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, help="expected number of entries in every feed")
    parser.add_argument("sources", nargs="+", help="feed files or http(s) URLs")
    args = parser.parse_args()

    failed = False
    for source in args.sources:
        try:
            raw = read(source)
        except OSError as error:
            print(f"FAIL {source}: cannot read: {error}")
            failed = True
            continue
        is_json = source.endswith(".json") or raw.lstrip()[:1] == b"{"
        failures, summary = (check_json if is_json else check_xml)(source, raw, args.entries)
        if failures:
            failed = True
            for failure in failures:
                print(f"FAIL {source}: {failure}")
        else:
            print(f"ok   {source}: {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
