//! The lab's tiny shell language: a subset of POSIX `sh` so the same command strings run on the
//! embedded lab and on a real host behind sshd (conformance tests send both the same text).
//!
//! A line is a `;`-separated list of simple commands; words split on blanks with '...' and "..."
//! quoting; a trailing `>&2` (or `1>&2`) sends a command's output to stderr.

use crate::seqstream::Rate;

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `echo words...`
    Echo { text: String, to_stderr: bool },
    /// `exit [code]`
    Exit(u32),
    /// `sleep seconds`
    Sleep { millis: u64 },
    /// `true`, `:` (status 0) and `false` (status 1)
    Status(u32),
    /// `head -c N /dev/zero` or `/dev/urandom`: N bytes of bulk output
    Bulk { bytes: u64, zeros: bool },
    /// `cat /proc/...`: the resource-poller look-alike
    Cat { files: Vec<String> },
    /// `stty size`
    SttySize,
    /// `spike-stream RATE [COUNT]` (any directory prefix): sequence-numbered lines; COUNT 0 runs
    /// until interrupted
    Stream { rate: Rate, count: u64 },
    /// A command the lab does not know, or bad arguments: printed on stderr with this status.
    Fail { message: String, status: u32 },
}

/// Parses one command line into the commands to run in order.
pub fn parse_line(line: &str) -> Vec<Command> {
    line.split(';').map(str::trim).filter(|part| !part.is_empty()).map(parse_simple).collect()
}

fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            None => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

fn parse_simple(text: &str) -> Command {
    let mut words = split_words(text);
    let mut to_stderr = false;
    if matches!(words.last().map(String::as_str), Some(">&2") | Some("1>&2")) {
        words.pop();
        to_stderr = true;
    }
    let Some(first) = words.first() else {
        return Command::Status(0);
    };
    let name = first.rsplit('/').next().unwrap_or(first).to_string();
    let args = &words[1..];
    let fail = |message: String, status: u32| Command::Fail { message, status };
    match name.as_str() {
        "echo" => Command::Echo { text: args.join(" "), to_stderr },
        "exit" => match args.first().map(|a| a.parse::<u32>()) {
            None => Command::Exit(0),
            Some(Ok(code)) => Command::Exit(code & 0xff),
            Some(Err(_)) => fail(format!("sh: 1: exit: Illegal number: {}", args[0]), 2),
        },
        "sleep" => match args.first().and_then(|a| a.parse::<f64>().ok()) {
            Some(s) if s >= 0.0 && s.is_finite() => Command::Sleep { millis: (s * 1000.0) as u64 },
            _ => fail("sleep: invalid time interval".into(), 1),
        },
        "true" | ":" => Command::Status(0),
        "false" => Command::Status(1),
        "head" => match (args.first().map(String::as_str), args.get(1), args.get(2)) {
            (Some("-c"), Some(n), Some(file)) if file == "/dev/zero" || file == "/dev/urandom" => {
                match n.parse::<u64>() {
                    Ok(bytes) => Command::Bulk { bytes, zeros: file == "/dev/zero" },
                    Err(_) => fail(format!("head: invalid number of bytes: '{n}'"), 1),
                }
            }
            _ => fail("head: the lab supports only: head -c N /dev/zero|/dev/urandom".into(), 1),
        },
        "cat" => Command::Cat { files: args.to_vec() },
        "stty" if args.first().map(String::as_str) == Some("size") => Command::SttySize,
        "spike-stream" => {
            let rate = args.first().and_then(|r| Rate::parse(r));
            let count = args.get(1).map(|c| c.parse::<u64>());
            match (rate, count) {
                (Some(rate), None) => Command::Stream { rate, count: 0 },
                (Some(rate), Some(Ok(count))) => Command::Stream { rate, count },
                _ => fail("usage: spike-stream low|mid|high|flood [COUNT]".into(), 2),
            }
        }
        other => fail(format!("sh: 1: {other}: not found"), 127),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_runs_in_order_with_stderr_redirects() {
        let cmds = parse_line("echo out; echo 'two words' >&2; exit 3");
        assert_eq!(
            cmds,
            vec![
                Command::Echo { text: "out".into(), to_stderr: false },
                Command::Echo { text: "two words".into(), to_stderr: true },
                Command::Exit(3),
            ]
        );
    }

    #[test]
    fn stream_command_accepts_a_directory_prefix() {
        assert_eq!(parse_line("/tmp/lab/bin/spike-stream mid 5"), vec![Command::Stream { rate: Rate::Mid, count: 5 }]);
    }

    #[test]
    fn unknown_commands_fail_like_sh() {
        assert_eq!(
            parse_line("frobnicate"),
            vec![Command::Fail { message: "sh: 1: frobnicate: not found".into(), status: 127 }]
        );
    }

    #[test]
    fn bulk_output_reads_its_size() {
        assert_eq!(parse_line("head -c 1048576 /dev/zero"), vec![Command::Bulk { bytes: 1_048_576, zeros: true }]);
    }
}
