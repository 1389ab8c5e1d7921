/* Where dockdrop puts things on the target (absolute paths, resolved inside --root by
 * host/root.h). One list, so install, status, uninstall and certs agree. */
#ifndef DD_HOST_PATHS_H
#define DD_HOST_PATHS_H

#define DD_OPT_DIR "/opt/dockdrop"
#define DD_ENGINE_DIR "/opt/dockdrop/engine"
#define DD_ENGINE_CURRENT "/opt/dockdrop/engine/current"
#define DD_BIN_DIR "/usr/local/bin"
#define DD_ETC_DIR "/etc/dockdrop"
#define DD_CA_DIR "/etc/dockdrop/ca"
#define DD_CLIENT_DIR "/etc/dockdrop/client"
#define DD_DOCKER_ETC "/etc/docker"
#define DD_TLS_DIR "/etc/docker/tls"
#define DD_DAEMON_JSON "/etc/docker/daemon.json"
#define DD_STATE_DIR "/var/lib/dockdrop"
#define DD_STATE_FILE "/var/lib/dockdrop/state"
/* There from an install's first change until its daemons are proven: a run killed in
 * between (while restarting, say) leaves it, and the next run restarts them. */
#define DD_RESTART_MARK "/var/lib/dockdrop/restart-pending"
/* The record's "certs" for certificates from install --settings (never a directory). */
#define DD_CERTS_SETTINGS "/(settings)"
#define DD_DAEMON_JSON_ORIG "/var/lib/dockdrop/daemon.json.orig" /* as it was before dockdrop */
#define DD_BACKUP_DIR "/var/lib/dockdrop/backup" /* the user's files dockdrop stands in for */
/* install --with-docs: the man page, and the completion scripts where Debian's
 * bash-completion (XDG_DATA_DIRS' default, /usr/local/share first) and zsh (its default
 * fpath) look without any configuration. */
#define DD_MAN_PAGE "/usr/local/share/man/man1/dockdrop.1"
#define DD_BASH_COMPLETION "/usr/local/share/bash-completion/completions/dockdrop"
#define DD_ZSH_COMPLETION "/usr/local/share/zsh/site-functions/_dockdrop"
#define DD_LOG_DIR "/var/log/dockdrop"
#define DD_RUN_DIR "/run/dockdrop"
#define DD_DOCKER_SOCK "/var/run/docker.sock"
#define DD_CONTAINERD_SOCK "/run/containerd/containerd.sock"
#define DD_DOCKER_DATA "/var/lib/docker"
#define DD_CONTAINERD_DATA "/var/lib/containerd"
/* The daemons' PATH: the system directories, then the carried iptables of the current
 * engine (bundle/xtables.h), so that a host's own iptables wins when it has one. */
#define DD_STD_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DD_XT_PATH DD_ENGINE_CURRENT "/iptables"
#define DD_DAEMON_PATH DD_STD_PATH ":" DD_XT_PATH

#endif
