package matcher_test

import (
	"os"
	"strconv"
)

func seedFromEnv() uint64 { n, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64); return n }
