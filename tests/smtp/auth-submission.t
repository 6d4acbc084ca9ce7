# --submission (RFC 6409): MAIL before AUTH is 530 5.7.0; after AUTH the
# same MAIL is accepted, and the message is stored with ESMTPA.  The AUTH
# with a PLAIN initial response is pipelined with MAIL and RCPT
# (RFC 4954 4 allows it for one-round-trip mechanisms).
!args --submission
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
C: MAIL FROM:<alice@example.test>
S: 530 5.7.0 Authentication required
C: RCPT TO:<bob@example.test>
S: 503 5.5.1 Need MAIL command first
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
C: MAIL FROM:<alice@example.test>
C: RCPT TO:<bob@example.test>
S: 235 2.7.0 Authentication successful
S: 250 2.1.0 Sender ok
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: submitted
C:
C: body
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/bob 1
!header example.test/bob *(Authenticated sender: alice@example.test)
!header example.test/bob *with ESMTPA id *
!log mode=submission
!log code=530 status=5.7.0 cmd=MAIL
!log event=auth result=ok mech=PLAIN user="alice@example.test"
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
