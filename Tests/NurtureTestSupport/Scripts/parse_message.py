#!/usr/bin/python3
"""Parses one RFC 5322 message with Python's strict `email` policy and prints what it understood as JSON.

The NurtureMail tests run this as an independent reader of the bytes MessageBuilder writes: if Python's
parser decodes a header or body differently, or notes any defect, the message is wrong somewhere.

Usage: parse_message.py MESSAGE_FILE
Exit status 0 with the JSON on stdout, or 2 with {"error": ...} when the parser refuses the message.
"""

import email
import email.policy
from email.header import decode_header, make_header
import json
import sys

POLICY = email.policy.default.clone(raise_on_defect=True)


def mailbox(message, name):
    header = message[name]
    if header is None:
        return None
    addresses = header.addresses
    if len(addresses) != 1:
        raise ValueError(f"{name} holds {len(addresses)} addresses, expected 1")
    return {
        "display_name": addresses[0].display_name,
        "display_name_rfc2047": rfc2047_display_name(message, name),
        "address": addresses[0].addr_spec,
    }


def rfc2047_display_name(message, name):
    """The display name decoded by the legacy `email.header` API, or None when it is not made of encoded words.

    Python's strict address parser keeps the white space between two adjacent encoded words of a display name,
    which RFC 2047 section 6.2 says to drop; it misreads its own generator's output of a long name the same way.
    `decode_header` drops it, so the tests read long encoded names through this instead.
    """
    raw = next(value for key, value in message.raw_items() if key.lower() == name.lower())
    phrase = raw.replace("\r\n", "").replace("\n", "").strip().rpartition(" <")[0]
    if "=?" not in phrase:
        return None
    return str(make_header(decode_header(phrase)))


def header_defects(message):
    return [f"{name}: {type(d).__name__}: {d}" for name, value in message.items() for d in value.defects]


def describe(data):
    message = email.message_from_bytes(data, policy=POLICY)
    defects = [f"{type(d).__name__}: {d}" for d in message.defects] + header_defects(message)
    parts = []
    for part in message.iter_parts() if message.is_multipart() else [message]:
        defects += [f"part: {type(d).__name__}: {d}" for d in part.defects] + header_defects(part)
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "content": part.get_content(),
        })
    date = message["Date"]
    lines = data.split(b"\r\n")
    return {
        "header_names": list(message.keys()),
        "from": mailbox(message, "From"),
        "to": mailbox(message, "To"),
        "reply_to": mailbox(message, "Reply-To"),
        "subject": message["Subject"],
        "message_id": message["Message-ID"],
        "date": str(date) if date is not None else None,
        "date_iso": date.datetime.isoformat() if date is not None and date.datetime else None,
        "mime_version": message["MIME-Version"],
        "list_unsubscribe": message["List-Unsubscribe"],
        "list_unsubscribe_post": message["List-Unsubscribe-Post"],
        "extra_headers": [[k, str(v)] for k, v in message.items() if k.lower().startswith("x-")],
        "content_type": message.get_content_type(),
        "boundary": message.get_boundary(),
        "parts": parts,
        "longest_line": max(len(line) for line in lines),
        "bare_line_feeds": data.replace(b"\r\n", b"").count(b"\n"),
        "bare_carriage_returns": data.replace(b"\r\n", b"").count(b"\r"),
        "non_ascii_bytes": sum(1 for byte in data if byte > 127),
        "defects": defects,
    }


def main():
    with open(sys.argv[1], "rb") as handle:
        data = handle.read()
    try:
        result = describe(data)
    except Exception as error:  # the parser's refusal is the finding, whatever its type
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        sys.exit(2)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
