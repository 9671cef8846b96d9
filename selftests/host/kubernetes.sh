# SPDX-License-Identifier: GPL-2.0
# The Kubernetes example, on paper: the QoS preset is a valid priority
# configuration and the ConfigMap carries the same directives; kubectl
# (client-side only: 'create --dry-run=client' with a discovery cache, no
# server) parses every object of the DaemonSet; its JSON has what the
# design needs (docs/kubernetes.md).
. selftests/host-lib.sh
K=deploy/kubernetes
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
command -v kubectl >/dev/null || { fail "kubectl is missing: run 'make deps' (Debian's kubernetes-client)"; exit 1; }

expect 0 "valid for the priority policy (0 settings, 8 rules, 1 pressure trigger)" check -c "$K/priority.conf" priority
# the ConfigMap's file is the preset without its comments
grep -v '^#' "$K/priority.conf" >"$d/preset"
python3 - "$K/oomx-daemonset.yaml" >"$d/cm" <<'PY' || fail "cannot read the ConfigMap"
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc["kind"] == "ConfigMap":
        sys.stdout.write(doc["data"]["priority.conf"])
PY
diff -u "$d/preset" "$d/cm" >"$d/diff" && echo "ok: the ConfigMap carries deploy/kubernetes/priority.conf" ||
	fail "the ConfigMap differs from priority.conf: $(cat "$d/diff")"

# No cluster: kubectl maps each object's kind to its resource through API
# discovery, which it reads from its cache when the cache is fresh. The
# cache below says what every API server serves for these three kinds;
# nothing asks a server. ('kubectl apply --dry-run=client' would still
# GET the live object, so the check is 'create --dry-run=client'.)
disc=$d/.kube/cache/discovery/localhost_8080
mkdir -p "$disc/v1" "$disc/apps/v1"
cat >"$disc/servergroups.json" <<'JSON'
{"kind":"APIGroupList","apiVersion":"v1","groups":[
 {"name":"","versions":[{"groupVersion":"v1","version":"v1"}],"preferredVersion":{"groupVersion":"v1","version":"v1"}},
 {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}]}
JSON
cat >"$disc/v1/serverresources.json" <<'JSON'
{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[
 {"name":"namespaces","singularName":"","namespaced":false,"kind":"Namespace","verbs":["create","get"]},
 {"name":"configmaps","singularName":"","namespaced":true,"kind":"ConfigMap","verbs":["create","get"]}]}
JSON
cat >"$disc/apps/v1/serverresources.json" <<'JSON'
{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"apps/v1","resources":[
 {"name":"daemonsets","singularName":"","namespaced":true,"kind":"DaemonSet","verbs":["create","get"]}]}
JSON
export HOME=$d KUBECONFIG=$d/none
kubectl create --dry-run=client --validate=false -o json -f "$K/oomx-daemonset.yaml" >"$d/objs.json" 2>"$d/err" &&
	echo "ok: kubectl create --dry-run=client parses every object ($(kubectl version --client 2>/dev/null | head -n 1))" ||
	fail "kubectl create --dry-run=client: $(cat "$d/err")"
python3 - "$d/objs.json" <<'PY' && echo "ok: the DaemonSet has hostPID, privileged containers, bpffs (Bidirectional), the preStop unload, port 9187, the config" || fail "the DaemonSet's structure"
import json, sys
text = open(sys.argv[1]).read()
dec, objs, i = json.JSONDecoder(), [], 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    o, i = dec.raw_decode(text, i)
    objs.extend(o["items"] if o.get("kind") == "List" else [o])
kinds = sorted(o["kind"] for o in objs)
assert kinds == ["ConfigMap", "DaemonSet", "Namespace"], kinds
ds = next(o for o in objs if o["kind"] == "DaemonSet")
spec = ds["spec"]["template"]["spec"]
assert spec["hostPID"] is True
cs = {c["name"]: c for c in spec["containers"]}
assert set(cs) == {"policy", "watch"}, cs.keys()
for c in cs.values():
    assert c["securityContext"]["privileged"] is True
    assert any(m["mountPath"] == "/etc/oomx" for m in c["volumeMounts"])
pol = cs["policy"]
bpf = [m for m in pol["volumeMounts"] if m["mountPath"] == "/sys/fs/bpf"]
assert bpf and bpf[0]["mountPropagation"] == "Bidirectional", bpf
assert pol["lifecycle"]["preStop"]["exec"]["command"] == ["/usr/sbin/oomx", "unload"]
assert "oomx load --replace priority -c /etc/oomx/priority.conf" in pol["args"][0]
assert "oomx metrics --listen :9187" in pol["args"][0]
assert pol["ports"][0]["containerPort"] == 9187
assert cs["watch"]["command"][:4] == ["/usr/sbin/oomx", "watch", "-c", "/etc/oomx/priority.conf"]
vols = {v["name"]: v for v in spec["volumes"]}
assert vols["config"]["configMap"]["name"] == "oomx-config"
assert vols["bpffs"]["hostPath"]["path"] == "/sys/fs/bpf"
PY
exit $rc
