# Without AUTH (and relay = no, no RELAYCLIENT) a non-local recipient is
# 550 5.7.1, also after a failed AUTH; a local recipient is still fine and
# its Received says ESMTP, not ESMTPA.  Nothing lands under relay/.
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
!conf [relay]
!conf store = maildir
!conf path = relay/%d/%u
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
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@remote.example>
S: 550 5.7.1 Relaying denied
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: local
C:
C: .
S: 250 2.0.0 Ok: queued as *
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZy1wYXNz
S: 535 5.7.8 Authentication credentials invalid
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@remote.example>
S: 550 5.7.1 Relaying denied
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!user example.test/alice
!mail ../relay/remote.example/carol 0
!mail example.test/bob 1
!header example.test/bob *by mx.example.test (cartero) with ESMTP id *
!log code=550 status=5.7.1 cmd=RCPT
