package testenv

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

var subreaperOnce sync.Once

// becomeSubreaper makes this process the child subreaper of what it starts
// (prctl PR_SET_CHILD_SUBREAPER): the helpers and workers of a peer that
// dies before them are reparented here instead of to PID 1, so that reap
// can collect them at once. (Some init processes reap orphans only every
// few seconds, leaving zombies that pgrep still lists.)
func becomeSubreaper() {
	subreaperOnce.Do(func() {
		const prSetChildSubreaper = 36
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	})
}

// procInfo reads a process's state, parent and process group from /proc.
func procInfo(pid int) (state string, ppid, pgrp int, ok bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, 0, false
	}
	// pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return "", 0, 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 3 {
		return "", 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	pgrp, _ = strconv.Atoi(f[2])
	return f[0], ppid, pgrp, true
}

// allPIDs lists the processes in /proc.
func allPIDs() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// descendants returns the processes below root by parent links, whatever
// their process group: squid's helpers, for one, start sessions of their
// own, so killing squid's group misses them.
func descendants(root int) []int {
	parent := map[int]int{}
	for _, pid := range allPIDs() {
		if _, ppid, _, ok := procInfo(pid); ok {
			parent[pid] = ppid
		}
	}
	var out []int
	for pid := range parent {
		for p := parent[pid]; p > 1; p = parent[p] {
			if p == root {
				out = append(out, pid)
				break
			}
			if p == parent[p] {
				break
			}
		}
	}
	return out
}

// killOrphans SIGKILLs those of pids still alive below root or reparented
// to this process (so that a PID reused meanwhile is left alone).
func killOrphans(root int, pids []int) {
	self := os.Getpid()
	for _, pid := range pids {
		if state, ppid, _, ok := procInfo(pid); ok && state != "Z" && (ppid == root || ppid == self) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// reap collects the exited members of process group pgid and the exited
// processes among extra that were reparented to this process, and reports
// whether any of them is left. The group leader is left to its exec.Cmd.
func reap(pgid int, extra []int) (left bool) {
	self := os.Getpid()
	for _, pid := range allPIDs() {
		if pid == pgid {
			continue
		}
		state, ppid, pgrp, ok := procInfo(pid)
		if !ok || (pgrp != pgid && !slices.Contains(extra, pid)) {
			continue
		}
		if state == "Z" && ppid == self {
			var ws syscall.WaitStatus
			if p, _ := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); p == pid {
				continue
			}
		}
		left = true
	}
	return left || !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}
