package audit_test

import (
	"testing"

	"hms/server/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
