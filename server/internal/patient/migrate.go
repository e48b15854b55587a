package patient

import (
	"context"
	"log/slog"
)

// Migrations records the one-off steps that ran on a database, and computes the search keys of
// records stored before search existed.
type Migrations interface {
	// Migrated reports whether the step name ran on this database.
	Migrated(ctx context.Context, name string) (bool, error)
	// MarkMigrated records that the step name ran (a second mark is not an error).
	MarkMigrated(ctx context.Context, name string) error
	// IndexSearchKeys computes the search keys of records without them, returning how many.
	IndexSearchKeys(ctx context.Context) (int, error)
}

// migrationStep names the records' one-off migration: MRNs for the records made before MRNs existed,
// search keys for those made before search.
const migrationStep = "patients-mrn-search-v1"

// Migrate runs the records' one-off migration once per database (recorded, so later starts do not
// scan the patients). Both parts are safe to run on several instances at once; a failure leaves the
// step unrecorded, for the next start to try again.
func (s *Service) Migrate(ctx context.Context, log *slog.Logger) error {
	if done, err := s.store.Migrated(ctx, migrationStep); err != nil || done {
		return err
	}
	numbered, err := s.EnsureMRNs(ctx)
	if err != nil {
		return err
	}
	indexed, err := s.store.IndexSearchKeys(ctx)
	if err != nil {
		return err
	}
	if err := s.store.MarkMigrated(ctx, migrationStep); err != nil {
		return err
	}
	if numbered+indexed > 0 {
		log.Info("patient records migrated", "numbered", numbered, "indexed", indexed)
	}
	return nil
}
