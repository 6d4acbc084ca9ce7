# An authenticated client may relay (relay = no): a non-local recipient
# goes to the [relay] section's store, here a Maildir under relay/%d/%u.
# (!mail/!header look under mail/, hence the ../relay/ spec; mail/ must
# exist for that path to resolve, hence the !user.)
!user example.test/alice
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
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 235 2.7.0 Authentication successful
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@remote.example>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: relayed
C:
C: out
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail ../relay/remote.example/carol 1
!mail remote.example/carol 0
!header ../relay/remote.example/carol *(Authenticated sender: alice@example.test)
!header ../relay/remote.example/carol *with ESMTPA id *
!header ../relay/remote.example/carol *for <carol@remote.example>;
!log rcpts="carol@remote.example" store=maildir
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
