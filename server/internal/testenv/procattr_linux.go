package testenv

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill cmd when the test binary dies (a panic, a timeout, SIGKILL):
// an orphaned server would otherwise keep go test waiting on the output pipe it inherited.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
