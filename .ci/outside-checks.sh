#!/usr/bin/env bash
# Outside clients read what Dispatch publishes: feedparser (bozo=0) on rendered hostile fixtures, then on the
# live feeds of a real `npm start`, and newsboat reloading the live feed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=/usr/bin/python3 # Debian's python, where python3-feedparser lives (a pyenv python may shadow it)
work=$(mktemp -d)
stack_pid=""
cleanup() {
  if [ -n "$stack_pid" ]; then kill -TERM -- "-$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

npx tsx test/outside/render-feed-fixtures.ts "$work/fixtures"
"$PYTHON" test/outside/check_feeds.py --entries 3 "$work/fixtures/rss.xml" "$work/fixtures/atom.xml" "$work/fixtures/feed.json"

echo "-- live stack: npm start on a free port"
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
export DISPATCH_DATA_DIR="$work/data" DISPATCH_PORT="$port" DISPATCH_SES_PORT=0 DISPATCH_DYNAMODB_PORT=0 DISPATCH_S3_PORT=0 DISPATCH_SQS_PORT=0
setsid npm start --silent >"$work/stack.log" 2>&1 &
stack_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -sf "$base/api/health" >/dev/null && break
  sleep 0.5
done
curl -sf "$base/api/health" >/dev/null || { cat "$work/stack.log"; echo "stack did not start"; exit 1; }

export DISPATCH_API_URL="$base" DISPATCH_TOKEN="$(cat "$work/data/admin-token")"
npx dispatch submit test/fixtures/report-subscriber.md
npx dispatch submit test/fixtures/report-complimentary.md
npx dispatch submit test/outside/hostile-report.md
# Waits until a JSON feed lists N items (the publisher writes its files side by side, in no set order).
wait_for_items() {
  for _ in $(seq 1 60); do
    [ "$(curl -s "$base$1" | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null)" = "$2" ] && return
    sleep 0.5
  done
}
wait_for_items /feeds/feed.json 3
wait_for_items /feeds/series/grid-watch/feed.json 2
wait_for_items /feeds/series/harbour-ledger/feed.json 1
"$PYTHON" test/outside/check_feeds.py --entries 3 "$base/feeds/rss.xml" "$base/feeds/atom.xml" "$base/feeds/feed.json"
"$PYTHON" test/outside/check_feeds.py --entries 1 "$base/feeds/tags/r-d/rss.xml" "$base/feeds/tags/tech-ai/atom.xml"
# Series feeds: the two fixtures of grid-watch, the hostile report alone in harbour-ledger.
"$PYTHON" test/outside/check_feeds.py --entries 2 "$base/feeds/series/grid-watch/rss.xml" "$base/feeds/series/grid-watch/atom.xml" "$base/feeds/series/grid-watch/feed.json"
"$PYTHON" test/outside/check_feeds.py --entries 1 "$base/feeds/series/harbour-ledger/rss.xml" "$base/feeds/series/harbour-ledger/atom.xml" "$base/feeds/series/harbour-ledger/feed.json"
for path in /feeds/rss.xml /feeds/atom.xml /feeds/feed.json /feeds/tags/r-d/rss.xml /feeds/series/harbour-ledger/rss.xml /feeds/series/harbour-ledger/atom.xml /feeds/series/harbour-ledger/feed.json /series/harbour-ledger/ /; do
  if curl -s "$base$path" | grep -q "must never reach a public feed"; then echo "LEAK: subscriber-only text in $path"; exit 1; fi
done

echo "-- an edition on the web: /editions/{id}/ and /editions/ carry no subscriber-only text"
edition=$(curl -sf -X POST "$base/api/digests" -H "authorization: Bearer $DISPATCH_TOKEN" -H 'content-type: application/json' -d '{}' | jq -r .id)
for _ in $(seq 1 60); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/editions/$edition/")" = "200" ] && break
  sleep 0.5
done
for path in "/editions/$edition/" /editions/; do
  curl -sf "$base$path" >"$work/edition.html" || { echo "no page at $path"; exit 1; }
  if grep -q "must never reach a public feed" "$work/edition.html"; then echo "LEAK: subscriber-only text in $path"; exit 1; fi
done
grep -q "/editions/$edition/" "$work/edition.html" || { echo "/editions/ does not list edition $edition"; exit 1; }
echo "edition pages: /editions/$edition/ and /editions/ served, no leak"

echo "-- the README's AWS CLI example, as written, on a machine with no AWS configuration"
(
  for name in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$name"; done
  export HOME="$work/fresh-home" AWS_CONFIG_FILE="$DISPATCH_DATA_DIR/aws-config" AWS_SHARED_CREDENTIALS_FILE="$DISPATCH_DATA_DIR/aws-credentials"
  mkdir -p "$HOME"
  aws --endpoint-url "$(jq -r .dynamodb "$DISPATCH_DATA_DIR/endpoints.json")" dynamodb scan --table-name dispatch-reports >"$work/scan.json"
  jq -e '.Count > 0' "$work/scan.json" >/dev/null
  aws --endpoint-url "$(jq -r .s3 "$DISPATCH_DATA_DIR/endpoints.json")" s3 ls s3://dispatch-site/feeds/ | grep -q rss.xml
  echo "aws cli: dynamodb scan and s3 ls work against the local stack"
)

echo "-- newsboat reads the live feed"
echo "$base/feeds/rss.xml" >"$work/urls"
printf 'download-retries 2\ndownload-timeout 20\n' >"$work/newsboat.conf"
newsboat -u "$work/urls" -c "$work/cache.db" -C "$work/newsboat.conf" -x reload
unread=$(newsboat -u "$work/urls" -c "$work/cache.db" -C "$work/newsboat.conf" -x print-unread | awk '{print $1}')
echo "newsboat: $unread unread articles"
[ "$unread" = "3" ] || { echo "newsboat expected 3 unread articles, got '$unread'"; exit 1; }
echo "$base/feeds/series/grid-watch/atom.xml" >"$work/series-urls"
newsboat -u "$work/series-urls" -c "$work/series-cache.db" -C "$work/newsboat.conf" -x reload
unread=$(newsboat -u "$work/series-urls" -c "$work/series-cache.db" -C "$work/newsboat.conf" -x print-unread | awk '{print $1}')
echo "newsboat: $unread unread articles in the grid-watch series feed"
[ "$unread" = "2" ] || { echo "newsboat expected 2 unread articles in the series feed, got '$unread'"; exit 1; }

curl -sf -o /dev/null "$base/feeds/rss.xml" -H "If-None-Match: $(curl -sI "$base/feeds/rss.xml" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')" -w '%{http_code}\n' | grep -q 304 && echo "conditional GET: 304"
echo "outside checks passed"
