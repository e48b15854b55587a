package lab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"

	"hms/server/internal/auth"
	"hms/server/internal/fault"
	"hms/server/internal/ident"
	"hms/shared"
)

// Part yields the uploaded file: its client-given name and its bytes. It is called only once the
// caller may attach files to the order, so nothing is read for a refused request.
type Part func() (name string, body io.Reader, err error)

// Upload attaches a file to an order (lab staff or doctors), audited. The type is detected from the
// content (PDF, PNG or JPEG), never from the client's header or extension; an empty file, another type
// or one over MaxFileBytes is refused and nothing is kept. The bytes are stored in chunks as they
// arrive, so an upload never sits whole in memory; the metadata document, written last, makes the file
// visible.
func (s *Service) Upload(ctx context.Context, p auth.Principal, orderID string, part Part) (shared.LabFile, error) {
	f, o, err := s.upload(ctx, p, orderID, part)
	if err = s.record(ctx, p, auditPatient(o), actUpload, err); err != nil {
		return shared.LabFile{}, err
	}
	s.changed(ctx, o.ID)
	return f.Public(), nil
}

func (s *Service) upload(ctx context.Context, p auth.Principal, orderID string, part Part) (File, Order, error) {
	o, err := s.find(ctx, orderID)
	if err != nil {
		return File{}, Order{}, err
	}
	if err := s.access.Clinical(ctx, p, o.PatientID); err != nil {
		return File{}, o, err
	}
	if err := s.open(ctx, o.ID); err != nil {
		return File{}, o, err
	}
	name, body, err := part()
	if err != nil {
		return File{}, o, err
	}
	f := File{ID: ident.New(), OrderID: o.ID, PatientID: o.PatientID, Name: cleanName(name), UploadedBy: p.UserID}
	if err := s.storeChunks(ctx, &f, body); err != nil {
		if derr := s.store.DeleteChunks(context.WithoutCancel(ctx), f.ID); derr != nil {
			s.log.WarnContext(ctx, "remove the chunks of a failed upload", "file_id", f.ID, "err", derr)
		}
		return File{}, o, err
	}
	f.At = s.stamp()
	return f, o, s.store.InsertFile(ctx, f)
}

// storeChunks reads body in ChunkSize pieces, checks the type on the first and the size as it goes,
// and stores each piece; it fills in f's size, type, hash and chunk count.
func (s *Service) storeChunks(ctx context.Context, f *File, body io.Reader) error {
	h := sha256.New()
	buf := make([]byte, ChunkSize)
	for n := 0; ; n++ {
		got, err := io.ReadFull(body, buf)
		if tooLarge(err) {
			return ErrFileTooLarge
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return fault.Invalid("could not read the uploaded file")
		}
		if got == 0 {
			if n == 0 {
				return errFileEmpty
			}
			break
		}
		if n == 0 {
			if f.ContentType = http.DetectContentType(buf[:got]); !allowedTypes[f.ContentType] {
				return ErrFileType
			}
		}
		if f.Size += int64(got); f.Size > MaxFileBytes {
			return ErrFileTooLarge
		}
		h.Write(buf[:got])
		if err := s.store.InsertChunk(ctx, f.ID, n, buf[:got]); err != nil {
			return err
		}
		f.Chunks = n + 1
		if got < ChunkSize {
			break
		}
	}
	f.SHA256 = hex.EncodeToString(h.Sum(nil))
	return nil
}

// tooLarge reports a read that ran into the request body limit.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// Download is an attached file, opened for reading: its metadata, and Chunks, which calls each with the
// file's chunks in order.
type Download struct {
	File   File
	Chunks func(ctx context.Context, each func(n int, data []byte) error) error
}

// OpenFile returns an attached file for download, audited: through the clinical access rule, and for
// a patient only their own and once the report is released (else 404).
func (s *Service) OpenFile(ctx context.Context, p auth.Principal, fileID string) (Download, error) {
	f, err := s.openFile(ctx, p, fileID)
	pid := f.PatientID
	if pid == "" {
		pid = unknownPatient
	}
	if err = s.record(ctx, p, pid, actFile, err); err != nil {
		return Download{}, err
	}
	return Download{File: f, Chunks: func(ctx context.Context, each func(n int, data []byte) error) error {
		return s.store.Chunks(ctx, f.ID, each)
	}}, nil
}

func (s *Service) openFile(ctx context.Context, p auth.Principal, fileID string) (File, error) {
	if !ident.Valid(fileID) {
		return File{}, fault.Invalid("malformed lab file id: want 24 hex digits")
	}
	f, err := s.store.File(ctx, fileID)
	if err != nil {
		return File{}, err
	}
	if _, err := s.readable(ctx, p, f.OrderID); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			err = ErrFileNotFound
		}
		return f, err
	}
	return f, nil
}
