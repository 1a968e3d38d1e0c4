#!/bin/sh
# Save as /usr/local/bin/desterlib-429-alert and run it from root's crontab,
# e.g. every 15 minutes. It prints only when the limit is hit often; cron
# mails that output to you if the system can send mail.
count=$(awk '$9 == 429' /var/log/nginx/desterlib.access.log | wc -l)
if [ "$count" -gt 100 ]; then
  echo "DesterLib: $count requests refused with 429 (Too Many Requests) in nginx's current access log"
fi
