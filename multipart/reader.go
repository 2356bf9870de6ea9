package multipart

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// bodyReader walks a body's segments. In-memory segments are copied into the
// caller's buffer back to back, so many small fields fill one Read; a file
// segment gets at most one Read per call so that a slow file never blocks
// bytes that are already available.
type bodyReader struct {
	segs      []segment
	idx       int   // current segment
	off       int   // offset in an in-memory segment
	open      bool  // the current file segment has been rewound
	remaining int64 // bytes still due from a file of known size
	err       error
	probe     [1]byte
}

// Read implements io.Reader.
func (r *bodyReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n := 0
	for n < len(p) && r.idx < len(r.segs) {
		seg := &r.segs[r.idx]
		if seg.f == nil {
			c := copy(p[n:], seg.s[r.off:])
			n += c
			r.off += c
			if r.off == len(seg.s) {
				r.idx++
				r.off = 0
			}
			continue
		}
		m, err := r.readFile(seg.f, p[n:])
		n += m
		if err == io.EOF {
			r.idx++
			r.open = false
			continue
		}
		if err != nil {
			r.err = fmt.Errorf("multipart: file %q: %w", seg.f.field, err)
			return n, r.err
		}
		return n, nil
	}
	if n == 0 && len(p) > 0 {
		r.err = io.EOF
		return 0, io.EOF
	}
	return n, nil
}

// readFile reads the next piece of a file part, returning io.EOF when the
// part is complete. For a file of known size it refuses to hand out more or
// fewer bytes than were counted, since Len was announced from that count.
func (r *bodyReader) readFile(f *filePart, p []byte) (int, error) {
	if !r.open {
		if f.seeker != nil {
			if _, err := f.seeker.Seek(f.start, io.SeekStart); err != nil {
				return 0, fmt.Errorf("cannot rewind: %w", err)
			}
		}
		r.open = true
		r.remaining = f.size
	}
	if f.size < 0 {
		return f.r.Read(p)
	}
	if r.remaining == 0 {
		// Everything counted was sent; make sure the file has not grown.
		m, err := f.r.Read(r.probe[:])
		switch {
		case m > 0:
			return 0, fmt.Errorf("%w: more than %d bytes", ErrSizeChanged, f.size)
		case err == nil:
			return 0, nil
		}
		return 0, err
	}
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	m, err := f.r.Read(p)
	r.remaining -= int64(m)
	if err == io.EOF && r.remaining > 0 {
		return m, fmt.Errorf("%w: ended after %d of %d bytes: %w", ErrSizeChanged, f.size-r.remaining, f.size, io.ErrUnexpectedEOF)
	}
	return m, err
}

// errReader is a reader that fails at once, for bodies that cannot be
// produced.
type errReader struct{ err error }

// Read implements io.Reader.
func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// inspect learns how many bytes a file part will send and whether, and to
// where, it can be rewound. Only side-effect-free queries are made: a seek to
// the end is undone at once.
func inspect(field string, r io.Reader) *filePart {
	fp := &filePart{field: field, r: r, size: -1}
	seeker, _ := r.(io.Seeker)
	if seeker != nil {
		start, err := seeker.Seek(0, io.SeekCurrent)
		if err == nil {
			fp.seeker, fp.start = seeker, start
		}
	}
	switch v := r.(type) {
	case *os.File:
		fp.size = statSize(v, fp)
	case interface{ Stat() (fs.FileInfo, error) }:
		// fs.File implementations such as embed.FS files.
		fp.size = statSize(v, fp)
	case interface{ Len() int }:
		// *bytes.Reader, *strings.Reader, *bytes.Buffer: the unread length.
		fp.size = int64(v.Len())
	case interface{ Size() int64 }:
		if fp.seeker != nil {
			fp.size = remaining(v.Size(), fp.start)
		}
	default:
		if fp.seeker != nil {
			if end, err := seeker.Seek(0, io.SeekEnd); err == nil {
				if _, err := seeker.Seek(fp.start, io.SeekStart); err == nil {
					fp.size = remaining(end, fp.start)
				} else {
					fp.seeker = nil // lost our place; treat as one-shot
				}
			}
		}
	}
	return fp
}

// statSize returns the bytes left in a regular file after its current
// offset, or -1. Pipes, sockets and devices have no meaningful size or
// position, so they are also made one-shot.
func statSize(v interface{ Stat() (fs.FileInfo, error) }, fp *filePart) int64 {
	st, err := v.Stat()
	if err != nil || !st.Mode().IsRegular() {
		fp.seeker = nil
		return -1
	}
	if fp.seeker == nil {
		return -1
	}
	return remaining(st.Size(), fp.start)
}

// remaining returns size-offset, never negative.
func remaining(size, offset int64) int64 {
	if offset >= size {
		return 0
	}
	return size - offset
}
