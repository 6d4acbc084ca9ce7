# AUTH PLAIN without an initial response: the server sends the empty
# challenge "334 " (a 334, one space, nothing else: RFC 4954 4) and the
# client answers with the base64 message.  bob's entry is {SHA512-CRYPT}.
# NOTE: the expected "S: 334 " lines end with a space.
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
C: AUTH PLAIN
S: 334 
C: AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMi1ib2I=
S: 235 2.7.0 Authentication successful
C: MAIL FROM:<bob@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: from bob
C:
C: x
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice *(Authenticated sender: bob@example.test)
!header example.test/alice *with ESMTPA id *
!log event=auth result=ok mech=PLAIN user="bob@example.test" ip=192.0.2.7
!nolog hunter2-bob
!nolog aHVudGVyMi1ib2I=
!nolog AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMi1ib2I=
