package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"alpacawrapper/database"
	"alpacawrapper/database/dbtest"
	"alpacawrapper/process"
)

const testStatusToken = "status-token-for-the-tests-0123456789"

// getStatus reads /statusz of p with the token ("" for none).
func getStatus(t *testing.T, p *binProc, token string) (int, process.Status) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.url+"/statusz", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var st process.Status
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatalf("/statusz is not JSON: %v\n%s", err, body)
		}
	}
	return resp.StatusCode, st
}

// TestStatusShowsTheDeploymentsProcesses: a web process and a worker process of the built binary
// each heartbeat a row; /statusz on the web process lists both with their names, roles and
// connections (a browser's WebSocket counts within a heartbeat), only for the token; the logs
// name the process; a process stopped with SIGTERM removes its row.
func TestStatusShowsTheDeploymentsProcesses(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	db, err := database.Open(context.Background(), database.Options{URL: url, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	seedSimAssets(t, newTestAppWith(t, testAppOptions{db: db})) // the catalogue the WebSocket's symbol is checked against
	env := []string{"APP_ENV=test", "DATABASE_URL=" + url, "STATUS_TOKEN=" + testStatusToken, "LOG_LEVEL=info", "MIGRATE_ON_START=false"}
	web := startBinProc(t, "web.1", true, append(env, "ROLES=web"), "serve")
	worker := startBinProc(t, "worker.1", false, env, "worker")

	if code, _ := getStatus(t, web, ""); code != http.StatusNotFound {
		t.Errorf("/statusz without the token: %d, want 404", code)
	}
	if code, _ := getStatus(t, web, "wrong-token-wrong-token-wrong"); code != http.StatusNotFound {
		t.Errorf("/statusz with a wrong token: %d, want 404", code)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+web.host()+"/ws/quotes?symbols=AAPL", &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {web.url}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()

	// Within two heartbeats both processes are there, and the web process counts the WebSocket.
	var st process.Status
	deadline := time.Now().Add(2*process.DefaultEvery + 2*time.Second)
	for {
		var code int
		code, st = getStatus(t, web, testStatusToken)
		if code != http.StatusOK {
			t.Fatalf("/statusz with the token: %d", code)
		}
		if len(st.Processes) == 2 && st.Processes[0].Clients["live"] >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status after two heartbeats: %+v", st)
		}
		time.Sleep(200 * time.Millisecond) // polling the heartbeat's period; nothing to wait on
	}
	w, k := st.Processes[0], st.Processes[1] // by name: web.1, worker.1
	if w.Name != "web.1" || strings.Join(w.Roles, ",") != "web" || !w.Alive || w.Version == "" {
		t.Errorf("web process: %+v", w)
	}
	if k.Name != "worker.1" || strings.Join(k.Roles, ",") != "worker" || !k.Alive {
		t.Errorf("worker process: %+v", k)
	}
	if st.Clients < 1 {
		t.Errorf("clients = %d", st.Clients)
	}
	for _, p := range []*binProc{web, worker} {
		if !strings.Contains(p.logs.String(), "process="+p.name) {
			t.Errorf("the log of %s does not name it:\n%s", p.name, p.logs.String())
		}
	}

	// A clean stop removes the worker's row at once.
	if err := worker.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-worker.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not stop")
	}
	var n int64
	db.Gorm.Raw(`SELECT count(*) FROM processes WHERE name = 'worker.1'`).Scan(&n)
	if n != 0 {
		t.Error("the stopped worker's row is still there")
	}
}

// TestAdminStatusPage: administrators see the processes; others get 404.
func TestAdminStatusPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, nil)
	if err := process.NewHeartbeat(process.HeartbeatOptions{DB: a.db.Gorm, Name: "web.7", Roles: []string{"web"},
		Clients: func() map[string]int64 { return map[string]int64{"live": 3} }}).Beat(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, admin := makeAdmin(t, a, "root@example.com")
	// The status is part of the System page now; the old address leads there.
	if resp, _ := admin.get("/admin/status"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/system" {
		t.Errorf("/admin/status: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := admin.get("/admin/system")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-name="web.7"`) || !strings.Contains(body, "live 3") ||
		!strings.Contains(body, "No feed has been elected yet.") {
		t.Errorf("admin status page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = admin.get("/statusz")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"name":"web.7"`) {
		t.Errorf("/statusz for an administrator: %d %s", resp.StatusCode, body)
	}
	a.createUser("ada@example.com", goodPassword)
	b := a.browser()
	b.login("ada@example.com", goodPassword)
	for _, path := range []string{"/admin/status", "/admin/system", "/statusz"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s for a non-admin: %d", path, resp.StatusCode)
		}
	}
}
