package log

import "io"

// readRunEncoded reads the records from offset off on as [segment.readRun]
// does, with the same checks and limits, but hands each to each as it is
// stored, marshalled, rather than decoded. The bytes are the store's
// memory, valid only until each returns. It returns how many records it
// handed over and the length of their values; io.EOF if the segment does
// not hold off; and the error of a record that fails a check only if that
// record is the first (the run ends before it otherwise).
func (s *segment) readRunEncoded(off uint64, maxRecords, maxValueBytes int, each func(encoded []byte)) (n, size int, err error) {
	if off < s.baseOffset || off >= s.nextOffset || maxRecords < 1 {
		return 0, 0, io.EOF
	}
	last := min(off+uint64(maxRecords), s.nextOffset)
	for o := off; o < last; o++ {
		p, valueLen, err := s.checked(o)
		if err != nil {
			if n == 0 {
				return 0, 0, err
			}
			break
		}
		each(p)
		n++
		if size += valueLen; size >= maxValueBytes {
			break
		}
	}
	return n, size, nil
}

// checked returns the marshalled record at offset off, which the segment
// holds, and the length of its value, once it has passed every check a
// decoded read makes: its checksum, that it parses, and that it holds off.
func (s *segment) checked(off uint64) ([]byte, int, error) {
	p, pos, err := s.stored(off)
	if err != nil {
		return nil, 0, err
	}
	offset, valueLen, err := recordHeader(p)
	if err != nil {
		return nil, 0, corruptAt(s.store.Name(), pos, "record %d: %w", off, err)
	}
	if err := s.checkOffset(off, offset, pos); err != nil {
		return nil, 0, err
	}
	return p, valueLen, nil
}
