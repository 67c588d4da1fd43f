package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// watchInterval is how often watch looks for saved files. Polling the
// modification times of a chapter's few dozen files costs nothing and
// needs no file-notification dependency.
const watchInterval = 500 * time.Millisecond

// runWatch re-runs `check` on a chapter every time one of its files is
// saved, until Ctrl-C.
func runWatch(ctx context.Context, u ui, args []string) error {
	if len(args) != 1 {
		return errors.New(u.t("usage: workshop watch <chapter>", "사용법: workshop watch <장>"))
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, err := resolveChapter(root, args[0])
	if err != nil {
		return err
	}
	var last string
	for {
		stamp, err := stamps(ch.Root)
		if err != nil {
			return err
		}
		if stamp != last {
			last = stamp
			fmt.Print("\x1b[H\x1b[2J") // clear the screen: each run stands alone
			fmt.Printf("%s  %s\n\n", time.Now().Format("15:04:05"), dim(colour(stdout), u.t("watching "+ch.Dir+"; Ctrl-C to stop", ch.Dir+" 지켜보는 중. 멈추려면 Ctrl-C")))
			if err := runCheck(ctx, u, []string{ch.Dir}); err != nil && ctx.Err() == nil {
				fmt.Println(err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(watchInterval):
		}
	}
}

// stamps summarises the names, sizes and modification times of the
// chapter's source files; it changes when any of them is saved.
func stamps(root string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".proto")) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return b.String(), err
}
