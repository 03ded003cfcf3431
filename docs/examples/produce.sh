#!/bin/sh
# Appends one event to hookline's stream with redis-cli and prints the new entry's id.
#
#   produce.sh CHANNEL_ID TYPE PAYLOAD_FILE [EVENT_ID]
#
# HOOKLINE_REDIS_URL (default redis://127.0.0.1:6379) and HOOKLINE_STREAM (default
# hookline:events) say where.
set -eu

channel_id=$1
type=$2
payload_file=$3
event_id=${4:-}
redis_url=${HOOKLINE_REDIS_URL:-redis://127.0.0.1:6379}
stream=${HOOKLINE_STREAM:-hookline:events}

# Without an event_id hookline derives one from the stream and the entry id.
set -- type "$type" channel_id "$channel_id"
if [ -n "$event_id" ]; then
  set -- "$@" event_id "$event_id"
fi

# -x reads the last argument, the payload, from stdin byte for byte: the JSON never passes
# through the shell's quoting. redis-cli exits 0 even when Redis answers an error, so the
# answer itself is checked.
reply=$(redis-cli -u "$redis_url" -x XADD "$stream" '*' "$@" payload <"$payload_file")
case $reply in
  [0-9]*-[0-9]*) echo "$reply" ;;
  *) echo "XADD failed: $reply" >&2; exit 1 ;;
esac
