package app

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binProc is one process of the built binary, run as a deployment runs it, its log kept for the
// test's output.
type binProc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT when it serves HTTP
	logs   *syncBuffer
	exited chan error
}

// startBinProc starts the binary with args and exactly env (plus PATH and HOME); with web true it is
// given a free port and startBinProc waits until /readyz answers 200. The process is killed when the
// test ends, and its log is printed if the test failed.
func startBinProc(t *testing.T, name string, web bool, env []string, args ...string) *binProc {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	p := &binProc{t: t, name: name, logs: &syncBuffer{}, exited: make(chan error, 1)}
	env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PROCESS_NAME=" + name}, env...)
	if web {
		port := freeTCPPort(t)
		env = append(env, "HOST=127.0.0.1", "PORT="+strconv.Itoa(port))
		p.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.start()
	if web {
		p.waitReady(60 * time.Second)
	}
	return p
}

// startShellLine runs one line of a Procfile as a platform does (`sh -c LINE`), with exactly env
// (which must put the binary, named alpacawrapper, on PATH). With web true it is given a free PORT,
// as platforms do, and waited for until /readyz answers 200.
func startShellLine(t *testing.T, name string, web bool, env []string, line string) *binProc {
	t.Helper()
	p := &binProc{t: t, name: name, logs: &syncBuffer{}, exited: make(chan error, 1)}
	if web {
		port := freeTCPPort(t)
		env = append(env, "PORT="+strconv.Itoa(port))
		p.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	p.cmd = exec.Command("/bin/sh", "-c", line)
	p.cmd.Env = env
	// Its own process group, so the shell and the server it starts are stopped together.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.start()
	if web {
		p.waitReady(90 * time.Second)
	}
	return p
}

// signal sends sig to the process (and to its group when it has one of its own).
func (p *binProc) signal(sig syscall.Signal) error {
	if p.cmd.SysProcAttr != nil && p.cmd.SysProcAttr.Setpgid {
		return syscall.Kill(-p.cmd.Process.Pid, sig)
	}
	return p.cmd.Process.Signal(sig)
}

// start runs p.cmd, copying its output to p.logs.
func (p *binProc) start() {
	p.t.Helper()
	out, err := p.cmd.StderrPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	p.cmd.Stdout = p.cmd.Stderr
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintf(p.logs, "[%s] %s\n", p.name, sc.Text())
		}
	}()
	go func() {
		<-done // Wait closes the pipe: read it all first
		p.exited <- p.cmd.Wait()
	}()
	p.t.Cleanup(func() {
		_ = p.signal(syscall.SIGKILL)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
		}
		if p.t.Failed() {
			p.t.Logf("log of %s:\n%s", p.name, p.logs.String())
		}
	})
}

// waitReady polls /readyz until it answers 200: the process has opened its port, reached the
// database and found every migration applied.
func (p *binProc) waitReady(within time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for {
		select {
		case err := <-p.exited:
			p.t.Fatalf("%s exited at start (%v):\n%s", p.name, err, p.logs.String())
		default:
		}
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s not ready within %s:\n%s", p.name, within, p.logs.String())
		}
		time.Sleep(100 * time.Millisecond) // polling a port that is not open yet; nothing to wait on
	}
}

// host is the process's host:port.
func (p *binProc) host() string { return strings.TrimPrefix(p.url, "http://") }
