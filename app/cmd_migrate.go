package app

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"

	"alpacawrapper/database"
)

func runMigrate(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlags(cio, "migrate", "up|down|status|create NAME [flags]",
		"Manage the database schema: the application's SQL migrations (embedded in the binary),\n"+
			"then River's job-queue tables.\n\n"+
			"  up           apply every pending migration\n"+
			"  down         roll back the latest application migration (--all: everything, River's too)\n"+
			"  status       list every migration and whether it is applied\n"+
			"  create NAME  write a new empty SQL migration under "+database.MigrationsSourceDir)
	all := fs.Bool("all", false, "with down: roll back every migration, leaving an empty schema")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	action := fs.Arg(0)
	if action == "create" {
		if fs.NArg() != 2 {
			return fmt.Errorf("create needs one NAME, e.g. `migrate create add_orders`")
		}
		path, err := database.CreateMigration(database.MigrationsSourceDir, fs.Arg(1))
		if err != nil {
			return err
		}
		fmt.Fprintln(cio.stdout, "created", path)
		return nil
	}

	b, err := boot(ctx, cio)
	if err != nil {
		return err
	}
	defer b.close()
	m, err := database.NewMigrator(b.db.SQL, b.log)
	if err != nil {
		return err
	}
	switch action {
	case "up":
		applied, err := m.Up(ctx)
		printList(cio, "applied", applied)
		if err != nil {
			return err
		}
		return moveAvatarFiles(ctx, b)
	case "down":
		if *all {
			reverted, err := m.DownAll(ctx)
			printList(cio, "rolled back", reverted)
			return err
		}
		reverted, err := m.Down(ctx)
		if reverted != "" {
			printList(cio, "rolled back", []string{reverted})
		} else if err == nil {
			fmt.Fprintln(cio.stdout, "nothing to roll back")
		}
		return err
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		printStatus(cio, st)
		return nil
	}
	return fmt.Errorf("unknown action %q: use up, down, status or create", action)
}

// migrateUp applies pending migrations at start-up (MIGRATE_ON_START).
func migrateUp(ctx context.Context, b *base) error {
	m, err := database.NewMigrator(b.db.SQL, b.log)
	if err != nil {
		return err
	}
	applied, err := m.Up(ctx)
	for _, name := range applied {
		b.log.Info("migration applied", slog.String("migration", name))
	}
	if err != nil {
		return err
	}
	return moveAvatarFiles(ctx, b)
}

func printList(cio cmdIO, verb string, items []string) {
	if len(items) == 0 {
		fmt.Fprintf(cio.stdout, "nothing %s: the database is up to date\n", verb)
		return
	}
	for _, it := range items {
		fmt.Fprintf(cio.stdout, "%s %s\n", verb, it)
	}
}

func printStatus(cio cmdIO, st database.Status) {
	w := tabwriter.NewWriter(cio.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SET\tVERSION\tMIGRATION\tSTATE\tAPPLIED AT")
	for _, set := range []struct {
		name string
		list []database.MigrationState
	}{{"app", st.App}, {"river", st.River}} {
		for _, m := range set.list {
			state, at := "pending", ""
			if m.Applied {
				state = "applied"
				if !m.AppliedAt.IsZero() {
					at = m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
				}
			}
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", set.name, m.Version, m.Name, state, at)
		}
	}
	_ = w.Flush()
}
