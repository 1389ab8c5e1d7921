# uninstall --purge under sysv and OpenRC takes the log directory install made, with what
# the daemons wrote there (the sysv and openrc VMs found /var/log/dockdrop and its logs
# left: install recorded it as an empty directory to remove, not as the daemons' data);
# a plain uninstall keeps it, as it keeps the other data; a log directory that was there
# before install stays after --purge.
. "$(dirname "$0")/lib.sh"
T=$T_TMP

small_dockdrops 1
tree() { (cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort); }

for init in sysv openrc; do
	R=$T/$init
	image_root "$R"
	tree "$R" >"$T/before"
	run "$T/dd1" install --root "$R" --init "$init"
	check "$init: install into a tree" [ $rc -eq 0 ]
	# what the daemons write when they run
	echo started >"$R/var/log/dockdrop/docker.log" && echo started >"$R/var/log/dockdrop/containerd.log"
	run "$T/dd1" uninstall --root "$R"
	check "$init: a plain uninstall keeps the daemons' logs" sh -c "[ $rc -eq 0 ] && [ -s '$R/var/log/dockdrop/docker.log' ]"
	run "$T/dd1" uninstall --root "$R" --purge
	tree "$R" >"$T/after"
	check "$init: uninstall --purge takes /var/log/dockdrop with the logs in it; the tree is as before" sh -c \
		"[ $rc -eq 0 ] && [ ! -e '$R/var/log/dockdrop' ] && cmp -s '$T/before' '$T/after'"
done

R=$T/kept
image_root "$R"
mkdir -p "$R/var/log/dockdrop" && echo mine >"$R/var/log/dockdrop/notes"
run "$T/dd1" install --root "$R" --init sysv
run "$T/dd1" uninstall --root "$R" --purge
check "a /var/log/dockdrop that was there before install stays after --purge" sh -c \
	"[ $rc -eq 0 ] && [ -s '$R/var/log/dockdrop/notes' ]"
