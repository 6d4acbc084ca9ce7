# With an auth plugin, a local recipient is known when the plugin lists
# it (SPEC: recipients): alice and bob have no maildrop yet and are
# accepted (case-insensitively), the maildrop is made on first delivery;
# a user missing from the users file is 550 5.1.1 even though the domain
# is local; postmaster is always accepted.  No AUTH needed for this.
# Users for these transcripts (users file, passwd plugin):
#   alice@example.test  {PLAIN}        s3cr3t-alice
#   bob@example.test    {SHA512-CRYPT} hunter2-bob
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf auth_requires_tls = no
!conf auth_delay = 50
!conf [plugin passwd]
!conf file = users
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-AUTH PLAIN LOGIN*
S: 250 CHUNKING
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<BOB@Example.Test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 No such user here
C: RCPT TO:<alice@example.org>
S: 550 5.1.1 No such user here
C: RCPT TO:<postmaster@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: known users
C:
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/bob 1
!mail example.test/nobody 0
!exists example.test/alice cur
