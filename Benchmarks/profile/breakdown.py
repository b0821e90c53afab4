#!/usr/bin/env python3
"""Where a profiled daemon's CPU went, from a perf.data file that `nurture-bench --perf-record` wrote.

Two views of the same samples: by library (where the CPU was: `perf report --sort dso`), and by what it was for
(a sample counts for the most specific of the engine's stages found on its stack). libcurl, SQLite and libc are
built without frame pointers, so a sample inside them may lose the stack above: it counts for the library it was
in, and in the kernel for the system call it was in.

    Benchmarks/profile/breakdown.py FILE.perf.data
"""
import collections
import subprocess
import sys

# Substrings of Swift's mangled names, as `perf script` prints them, and what each stage does for a message. A
# sample counts for the first stage whose name is anywhere on its stack: the more specific ones come first.
STAGES = [
    ("composing: rendering the body (Mustache, HTML, links, text)", "StepRendererV11renderEmail"),
    ("composing: the MIME message (headers, quoted-printable, signing)", "MessageBuilderV5build"),
    ("composing: the rest (values, tokens)", "StepComposerV7compose"),
    ("recording steps as in flight (one commit per chunk)", "SendPipelineC8beginAll"),
    ("recording outcomes (one commit per gathering)", "SendPipelineC9recordAll"),
    ("sending: the last checks, the journal and libcurl", "SendPipelineC4send"),
    ("claiming and planning the due steps", "claimAndCompose"),
]


def perf(*arguments):
    return subprocess.run(["perf", *arguments], check=True, capture_output=True, text=True).stdout


def by_library(data):
    lines = perf("report", "-i", data, "--no-children", "--sort", "dso", "-g", "none", "--stdio").splitlines()
    rows = [line.split(None, 1) for line in lines if line.strip() and not line.startswith("#")]
    return [(float(share.rstrip("%")), name.strip()) for share, name in rows if share.endswith("%")]


def by_stage(data):
    script = perf("script", "-i", data, "-F", "ip,sym,dso")
    stacks = [block.strip().split("\n") for block in script.split("\n\n") if block.strip()]
    counts = collections.Counter()
    for frames in stacks:
        stage = next((name for name, pattern in STAGES if any(pattern in frame for frame in frames)), None)
        if stage is None:
            # No stage on the stack: perf lost the callers (libcurl, SQLite and libc have no frame pointers), or
            # the time is the engine's own (timers, threads handing steps on, logging). Where it was, then.
            leaf = frames[0].rsplit("(", 1)[-1].rstrip(")").rsplit("/", 1)[-1]
            stage = f"no stage on the stack, in {leaf}"
            # In the kernel, the system call says whose it was (sendto and poll: libcurl's; pwrite64 and
            # fdatasync: SQLite's; futex: threads waking each other), or none (an interrupt, a context switch).
            if leaf == "[kernel.kallsyms]":
                calls = [frame.split()[1] for frame in frames if len(frame.split()) > 1 and "__x64_sys_" in frame]
                stage += f", {calls[-1].replace('__x64_sys_', '')}()" if calls else ", outside a system call"
        counts[stage] += 1
    return len(stacks), counts


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = sys.argv[1]
    total, counts = by_stage(data)
    if total == 0:
        sys.exit(f"{data}: no samples; the run ended before perf attached (give it more work: --sends-at-once N)")
    print(f"{data}\n\nBy library (where the CPU was):")
    for share, name in by_library(data)[:10]:
        print(f"  {share:5.1f} %  {name}")
    print(f"\nBy stage (what it was for; {total} samples):")
    shown = [(stage, count) for stage, count in counts.most_common() if count * 200 >= total]
    for stage, count in shown:
        print(f"  {count * 100 / total:5.1f} %  {stage}")
    rest = total - sum(count for _, count in shown)
    if rest:
        print(f"  {rest * 100 / total:5.1f} %  the rest, under 0.5 % each")


if __name__ == "__main__":
    main()
