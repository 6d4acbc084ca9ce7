# A plugin_dir writable by others is refused before anything is loaded
# from it (as sshd treats its keys): 421 and a log line naming the fix.
!testplugins
!plugindir-mode 0777
!conf [smtpd]
!conf filters = probe
S: 421 4.3.0 Service temporarily unavailable
S: <EOF>
!exit 111
!log is writable by group or others (chmod go-w it)
