package localpg

import (
	"io"
	"os"
	"strings"
)

// maxLogSize is the size above which the server log is rotated (to
// postgres.log.1) before a start, so a long-lived dev cluster does not grow
// its log forever.
const maxLogSize = 10 << 20

// rotateLog moves an oversized log aside. Only called while the server is
// stopped, because a running server keeps writing to the open file.
func rotateLog(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogSize {
		_ = os.Rename(path, path+".1")
	}
}

// logSize returns the current size of the log, so that after a failed start
// we can show only what this attempt wrote.
func logSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logTail returns up to n last lines written to path after offset.
func logTail(path string, offset int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const window = 64 << 10
	if size := logSize(path); size-offset > window {
		offset = size - window
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return ""
	}
	return lastLines(string(b), n)
}

// lastLines returns the last n non-empty lines of s, joined by newlines.
func lastLines(s string, n int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimRight(line, "\r "); line != "" {
			out = append(out, line)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return strings.Join(out, "\n")
}

// indent prefixes every line of s for embedding in an error message.
func indent(s string) string {
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}
