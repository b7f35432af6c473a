#!/usr/bin/env bash
# Starts a minimal single-node SLURM (munged + slurmctld + slurmd, all on localhost) for the
# cluster-backend tests. Idempotent: if `sinfo` already shows the node up, it does nothing.
# Needs root and the Debian packages slurm-wlm + munge (scripts/ensure-system-deps.sh installs them).
# Exit 0 = SLURM is usable; non-zero = it is not, with the reason on stderr.
set -u
# concurrent test files may call this at the same time: one at a time
# (the daemons started below must not inherit fd 9, or they would hold the lock for ever:
#  every later call would then wait here; hence the `9>&-` on each daemon and the bounded wait)
exec 9>/tmp/serialed-start-slurm.lock
flock -w 150 9 || { echo "slurm: another start-slurm.sh has held /tmp/serialed-start-slurm.lock for 150 s" >&2; exit 1; }
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
SPOOL=/var/spool/serialed-slurm
LOG_DIR=/var/log/serialed-slurm
MARK="# serialed-studio single-node test cluster"

node_state() { sinfo -h -N -n localhost -o '%t' 2>/dev/null | head -1; }

if [ "$(node_state)" = "idle" ] || [ "$(node_state)" = "mix" ] || [ "$(node_state)" = "alloc" ]; then
  echo "slurm: already up (node localhost $(node_state))"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then echo "slurm: not root, cannot start the daemons" >&2; exit 1; fi
for exe in munged slurmctld slurmd sinfo sbatch; do
  command -v "$exe" >/dev/null 2>&1 || { echo "slurm: '$exe' not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
done

# --- munge -------------------------------------------------------------------------------
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none
fi
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
chmod 700 /etc/munge /var/log/munge; chmod 400 /etc/munge/munge.key; chmod 755 /run/munge
if ! munge -n >/dev/null 2>&1; then
  # a stale pid/socket from an earlier container run blocks munged; remove it
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  su -s /bin/sh munge -c "munged --force" 9>&- </dev/null >/dev/null 2>&1 || { echo "slurm: munged failed to start" >&2; exit 1; }
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n >/dev/null 2>&1 || { echo "slurm: munged is not answering" >&2; exit 1; }
fi

# --- slurm.conf (only written if missing or ours) ------------------------------------------
mem_mb=$(awk '/MemTotal/ {print int($2/1024*0.8)}' /proc/meminfo)
cpus=$(nproc)
mkdir -p "$CONF_DIR" "$SPOOL/ctld" "$SPOOL/d" "$LOG_DIR"
if [ ! -e "$CONF" ] || grep -q "$MARK" "$CONF"; then
  cat > "$CONF" <<CONF
$MARK (written by scripts/slurm/start-slurm.sh)
ClusterName=serialed
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
StateSaveLocation=$SPOOL/ctld
SlurmdSpoolDir=$SPOOL/d
SlurmctldPidFile=/run/serialed-slurmctld.pid
SlurmdPidFile=/run/serialed-slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MinJobAge=600
KillWait=5
InactiveLimit=0
MaxArraySize=10001
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
fi

# --- daemons --------------------------------------------------------------------------------
if ! scontrol ping 2>/dev/null | grep -q 'is UP'; then
  slurmctld -i >>"$LOG_DIR/start.log" 2>&1 9>&- </dev/null || { echo "slurm: slurmctld failed to start; see $LOG_DIR/slurmctld.log" >&2; tail -5 "$LOG_DIR/slurmctld.log" >&2; exit 1; }
fi
for _ in $(seq 50); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.2; done
if ! pgrep -x slurmd >/dev/null 2>&1; then
  slurmd -N localhost >>"$LOG_DIR/start.log" 2>&1 9>&- </dev/null || { echo "slurm: slurmd failed to start; see $LOG_DIR/slurmd.log" >&2; tail -5 "$LOG_DIR/slurmd.log" >&2; exit 1; }
fi
for _ in $(seq 150); do
  s=$(node_state)
  case "$s" in
    idle|mix|alloc) echo "slurm: up (node localhost $s, $cpus CPUs, ${mem_mb} MB)"; exit 0 ;;
    down*|drain*) scontrol update nodename=localhost state=resume >/dev/null 2>&1 ;;
  esac
  sleep 0.2
done
echo "slurm: node did not become idle (state '$(node_state)'); see $LOG_DIR/" >&2
tail -5 "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" >&2
exit 1
