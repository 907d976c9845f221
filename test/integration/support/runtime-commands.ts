// The commands docs/runtimes/*.md print, page by page, each run as printed by the integration test named
// beside it (or, where this machine cannot run the runtime, the test that checks what the command reads).
// test/unit/runtime-docs.test.ts holds every ```sh line of those pages to this list, and this list to the pages.
export const RUNTIME_COMMANDS = {
  'docker-engine.md': {
    image: 'npm run image', // container.test.ts (buildImage on docker)
    compose: 'npm run compose:example', // container.test.ts
    ca: 'docker compose -f compose.example.yml run --rm certs trust --print > ca.crt', // container.test.ts (its output)
    down: 'docker compose -f compose.example.yml down -v', // container.test.ts (its output)
  },
  'docker-desktop.md': {
    image: 'npm run image', // the same engine API as Docker Engine: container.test.ts
    compose: 'npm run compose:example', // container.test.ts
    down: 'docker compose -f compose.example.yml down -v', // container.test.ts (its output)
  },
  'podman.md': {
    image: 'npm run image -- --engine podman', // podman.test.ts
    compose: 'npm run compose:example -- --engine podman', // podman.test.ts, podman-compose
    // podman.test.ts, Compose v2 on the socket
    composeV2: 'npm run compose:example -- --engine podman --compose docker',
    volume: 'podman run --rm -v kcs-https:/https kestrel-cert-sidecar:0.1.0 init', // podman.test.ts, rootless
    bindU: 'podman run --rm -v ./out:/https:U kestrel-cert-sidecar:0.1.0 init', // podman.test.ts, rootless
    // podman.test.ts, rootless
    keepId:
      'podman run --rm --userns=keep-id --user "$(id -u):$(id -g)" -v ./out:/https kestrel-cert-sidecar:0.1.0 init',
    socket: 'export DOCKER_HOST=unix:///run/podman/podman.sock TESTCONTAINERS_RYUK_DISABLED=true', // podman.test.ts
  },
  'podman-desktop.md': {
    image: 'npm run image -- --engine podman', // podman.test.ts
    compose: 'npm run compose:example -- --engine podman --compose docker', // podman.test.ts
    kube: 'podman kube play examples/podman/kube-play.yaml', // podman.test.ts
  },
  'kube-play.md': {
    image: 'npm run image -- --engine podman', // podman.test.ts
    play: 'podman kube play examples/podman/kube-play.yaml', // podman.test.ts
    down: 'podman kube down examples/podman/kube-play.yaml', // podman.test.ts
  },
  'kubernetes.md': {
    init: 'kubectl apply -f examples/k8s/init-container.yaml', // test/unit/k8s-manifests.test.ts checks the file
    sidecar: 'kubectl apply -f examples/k8s/native-sidecar.yaml', // test/unit/k8s-manifests.test.ts checks the file
  },
} as const;

/** Runs a command as printed, with bash (the pages' shell), from `cwd`. */
export function bashArgs(command: string): string[] {
  return ['-c', command];
}
