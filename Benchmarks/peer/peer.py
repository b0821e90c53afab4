"""The peer: what a team writes instead of Nurture. APScheduler 3.x with its SQLAlchemy job store on SQLite,
one job per delayed send, each job building its message with the standard `email` package and sending it with
smtplib over a connection its worker thread keeps open.

    peer.py timer --db FILE --count N --first-at EPOCH --spread S --smtp HOST:PORT --workers W --report FILE
        N sends due evenly over S seconds from EPOCH: time to schedule them, resident memory while they wait
        for the first to fall due, lateness (send started minus due).
    peer.py throughput --db FILE --count N --smtp HOST:PORT --workers W --report FILE
        N sends all due now, scheduled while the scheduler is paused: messages per second to the sink.

Everything is reported as one JSON object in --report. Run by `nurture-bench`, in Benchmarks/.venv.
"""

import time

PROCESS_STARTED = time.time()  # before the imports: scheduling time counts the peer's start-up, as Nurture's does

import argparse
import json
import smtplib
import sys
import threading
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

BODY_TEXT = """Hi {first_name},

Thanks for downloading the guide. Most teams we talk to start with chapter two, the part about
following up within the hour, because that is where the quick wins are.

If it would help, I can walk you through how {company} could set this up in an afternoon:
reply to this email with a time that suits you.

- Reading list: https://acme.example/guide
- Pricing: https://acme.example/pricing

Best,
Dana Reyes
"""

BODY_HTML = """<html><body>
<p>Hi {first_name},</p>
<p>Thanks for downloading the guide. Most teams we talk to start with <strong>chapter two</strong>, the part
about following up within the hour, because that is where the quick wins are.</p>
<p>If it would help, I can walk you through how {company} could set this up in an afternoon:
reply to this email with a time that suits you.</p>
<ul><li>Reading list: <a href="https://acme.example/guide">https://acme.example/guide</a></li>
<li>Pricing: <a href="https://acme.example/pricing">https://acme.example/pricing</a></li></ul>
<p>Best,<br>Dana Reyes</p>
<p><a href="http://127.0.0.1:8080/u/{token}">Unsubscribe</a></p>
</body></html>
"""

SMTP_ADDRESS = None
RESULTS = []  # (due, started) per send; list.append is atomic in CPython
FAILURES = []
SIZES = []
_local = threading.local()


def rss_kilobytes():
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields


def connection():
    client = getattr(_local, "client", None)
    if client is None:
        host, port = SMTP_ADDRESS
        client = smtplib.SMTP(host, port)
        client.ehlo("localhost")
        _local.client = client
    return client


def send_step(index, due):
    """One job: compose the message, then send it over this thread's connection."""
    to = f"p{index}@example.com"
    message = EmailMessage()
    message["From"] = "Dana Reyes <dana@acme.example>"
    message["To"] = to
    message["Subject"] = f"Pat, here is the guide you asked for ({index})"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="acme.example")
    message["List-Unsubscribe"] = f"<http://127.0.0.1:8080/u/{index}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(BODY_TEXT.format(first_name="Pat", company="Initech"), cte="quoted-printable")
    message.add_alternative(
        BODY_HTML.format(first_name="Pat", company="Initech", token=index), subtype="html", cte="quoted-printable"
    )
    data = message.as_bytes()
    started = time.time()
    try:
        connection().sendmail("dana@acme.example", [to], data)
    except Exception as error:  # a broken connection is replaced on the next job
        _local.client = None
        FAILURES.append(repr(error))
        return
    RESULTS.append((due, started, time.time()))
    if len(SIZES) < 1:
        SIZES.append(len(data))


def make_scheduler(db, workers, paused=False):
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{db}")},
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        # Every send runs however late it is (the default would silently drop sends over a second late), once.
        job_defaults={"misfire_grace_time": None, "coalesce": False, "max_instances": 1},
        timezone=timezone.utc,
    )
    scheduler.start(paused=paused)
    return scheduler


def schedule(scheduler, count, due_of):
    for index in range(count):
        due = due_of(index)
        scheduler.add_job(
            send_step,
            "date",
            run_date=datetime.fromtimestamp(due, tz=timezone.utc),
            args=[index, due],
            id=f"send-{index}",
        )
    return time.time() - PROCESS_STARTED


def wait_for_sends(count, deadline):
    while len(RESULTS) + len(FAILURES) < count and time.time() < deadline:
        time.sleep(0.05)


def main():
    global SMTP_ADDRESS
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["timer", "throughput"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--first-at", type=float)
    parser.add_argument("--spread", type=float, default=60)
    parser.add_argument("--smtp", default="127.0.0.1:25")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=600, help="give up on sends this long after the last is due")
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    host, _, port = args.smtp.rpartition(":")
    SMTP_ADDRESS = (host, int(port))
    report = {"mode": args.mode, "count": args.count, "workers": args.workers}

    # Jobs are added while the scheduler is paused, as Nurture's import runs before its daemon: the fastest way
    # APScheduler 3 has to fill its store (a running scheduler wakes up on every add_job).
    if args.mode == "timer":
        scheduler = make_scheduler(args.db, args.workers, paused=True)
        step = args.spread / args.count
        report["schedule_seconds"] = schedule(scheduler, args.count, lambda index: args.first_at + index * step)
        report["scheduled_at"] = time.time()
        scheduler.resume()
        # Memory while every send waits: half a second before the first falls due (at once if already late).
        time.sleep(max(0, args.first_at - 0.5 - time.time()))
        memory = rss_kilobytes()
        report["rss_kb"], report["hwm_kb"] = memory["VmRSS"], memory["VmHWM"]
        wait_for_sends(args.count, args.first_at + args.spread + args.timeout)
        stopped = time.time()
        scheduler.shutdown(wait=False)
        done = list(RESULTS)
        report["lateness_ms"] = sorted((started - due) * 1000 for due, started, _ in done)
        # Sends not gone out by the deadline are late by at least this much (a lower bound).
        sent_dues = set(due for due, _, _ in done)
        report["unsent_lateness_ms"] = [
            (stopped - due) * 1000 for due in (args.first_at + index * step for index in range(args.count))
            if due not in sent_dues
        ]
    else:
        scheduler = make_scheduler(args.db, args.workers, paused=True)
        now = time.time()
        report["schedule_seconds"] = schedule(scheduler, args.count, lambda index: now)
        scheduler.resume()
        wait_for_sends(args.count, time.time() + args.timeout)
        scheduler.shutdown(wait=False)
        if RESULTS:
            first = min(started for _, started, _ in RESULTS)
            last = max(finished for _, _, finished in RESULTS)
            report["first_to_last_seconds"] = last - first
    report["sent"] = len(RESULTS)
    report["failures"] = len(FAILURES)
    report["first_failure"] = FAILURES[0] if FAILURES else None
    report["message_bytes"] = SIZES[0] if SIZES else None
    with open(args.report, "w") as out:
        json.dump(report, out)
    sys.stdout.flush()
    # Worker threads may be blocked on the sink; the report is written, so leave without waiting for them.
    import os

    os._exit(0)


if __name__ == "__main__":
    main()
