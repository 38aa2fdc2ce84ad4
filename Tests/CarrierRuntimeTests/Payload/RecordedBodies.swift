import CarrierCore
import Testing

// Generated from /work/shared/payloads/*.yaml: every body is copied byte for byte (escaped as a Swift literal).
// Each entry names the carrier file, the case (`section.name`) and the case's `source` id.

/// Recorded carrier bodies used as test data, fuzz seeds and benchmark input.
enum RecordedBodies {
    struct Body: Sendable, CustomTestStringConvertible {
        let carrier: String
        let name: String
        /// The `source` id the payload file cites for this case.
        let source: String
        /// True when the payload file marks the body `malformed: true` (not valid JSON on purpose).
        let malformed: Bool
        let text: String

        var bytes: [UInt8] { Array(text.utf8) }
        var testDescription: String { "\(carrier) \(name)" }
    }

    /// Finds one body by carrier and `section.name`.
    static func body(_ carrier: String, _ name: String) -> Body? {
        (json + form + query).first { $0.carrier == carrier && $0.name == name }
    }

    static let json: [Body] = [
        // source: at_docs_sample
        Body(
            carrier: "africastalking", name: "send_responses.success_docs_sample", source: "at_docs_sample",
            malformed: false,
            text:
                "{\n  \"SMSMessageData\": {\n    \"Message\": \"Sent to 1/1 Total Cost: KES 0.8000\",\n    \"Recipients\": [\n      {\n        \"statusCode\": 101,\n        \"number\": \"+254711XXXYYY\",\n        \"status\": \"Success\",\n        \"cost\": \"KES 0.8000\",\n        \"messageId\": \"ATXid_abc123\"\n      }\n    ]\n  }\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "send_responses.success_mock", source: "courier_tests", malformed: false,
            text: "{ \"SMSMessageData\": {\"Recipients\": [{\"status\": \"Success\", \"messageId\": \"1002\"}] } }"),
        // source: at_observed
        Body(
            carrier: "africastalking", name: "send_responses.blacklisted_201_zero_sent", source: "at_observed",
            malformed: false,
            text:
                "{\"SMSMessageData\": {\"Message\": \"Sent to 0/1 Total Cost: 0\", \"Recipients\": [{\"cost\": \"0\", \"messageId\": \"None\", \"number\": \"+254712345678\", \"status\": \"UserInBlacklist\", \"statusCode\": 406}]}}"
        ),
        // source: at_observed
        Body(
            carrier: "africastalking", name: "send_responses.invalid_sender_no_recipients", source: "at_observed",
            malformed: false,
            text: "{\"SMSMessageData\": {\"Message\": \"InvalidSenderId\", \"Recipients\": []}}"),
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "send_responses.explicit_failed", source: "courier_tests",
            malformed: false,
            text: "{ \"SMSMessageData\": {\"Recipients\": [{\"status\": \"Failed\" }] } }"),
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "send_responses.throttled", source: "courier_tests", malformed: false,
            text: "{ \"error\": \"failed\" }"),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "send_responses.accepted", source: "courier_tests", malformed: false,
            text:
                "{\"messages\":[{\"apiMessageId\":\"id1002\",\"accepted\":true,\"to\":\"12067799299\",\"error\":null}],\"error\":null}"
        ),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "send_responses.integration_error_in_200", source: "courier_tests",
            malformed: false,
            text:
                "{\"messages\":[],\"error\":\"Two-Way integration error - From number is not related to integration\"}"),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "inbound_messages.utf8", source: "courier_tests", malformed: false,
            text:
                "{ \n    \"messageId\":\"1234\", \n    \"fromNumber\": \"250788383383\", \n    \"timestamp\":1516217711000, \n    \"text\": \"Hello World!\", \n    \"charset\":\"UTF-8\"\n  }"
        ),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "inbound_messages.iso_8859_1_percent_escaped", source: "courier_tests",
            malformed: false,
            text:
                "{ \n    \"messageId\":\"1234\", \n    \"fromNumber\": \"250788383383\", \n    \"timestamp\":1516217711000, \n    \"text\": \"hello%21\", \n    \"charset\":\"ISO-8859-1\"\n  }"
        ),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "inbound_messages.utf16be_percent_escaped", source: "courier_tests",
            malformed: false,
            text:
                "{ \n    \"messageId\":\"1234\", \n    \"fromNumber\": \"250788383383\", \n    \"timestamp\":1516217711000, \n    \"text\": \"%00m%00e%00x%00i%00c%00o%00+%00k%00+%00m%00i%00s%00+%00p%00a%00p%00a%00s%00+%00n%00o%00+%00t%00e%00n%00%ED%00a%00+%00d%00i%00n%00e%00r%00o%00+%00p%00a%00r%00a%00+%00c%00o%00m%00p%00r%00a%00r%00n%00o%00s%00+%00l%00o%00+%00q%00+%00q%00u%00e%00r%00%ED%00a%00m%00o%00s%00.%00.\",\n    \"charset\": \"UTF-16BE\"\n  }"
        ),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "status_callbacks.error_with_message", source: "courier_tests",
            malformed: false,
            text: "{\"messageId\": \"msg1\", \"statusCode\": 5}"),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "status_callbacks.received_by_recipient", source: "courier_tests",
            malformed: false,
            text: "{\"messageId\": \"msg1\", \"statusCode\": 4}"),
        // source: courier_tests
        Body(
            carrier: "clickatell", name: "status_callbacks.unknown_code", source: "courier_tests", malformed: false,
            text: "{\"messageId\": \"msg1\", \"statusCode\": -1}"),
        // source: ib_java_sdk_test
        Body(
            carrier: "infobip", name: "send_responses.pending_accepted", source: "ib_java_sdk_test", malformed: false,
            text:
                "{  \"bulkId\": \"2034072219640523072\",  \"messages\": [    {  \"destination\": \"41793026727\",  \"status\": {    \"groupId\": 1,    \"groupName\": \"PENDING\",    \"id\": 26,    \"name\": \"MESSAGE_ACCEPTED\",    \"description\": \"Message sent to next instance\"  },  \"messageId\": \"2250be2d4219-3af1-78856-aabe-1362af1edfd2\"}  ]}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "send_responses.courier_mock", source: "courier_tests", malformed: true,
            text:
                "{\"messages\":[{\"status\":{\"groupId\": 1}, \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\"}}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "send_responses.rejected_group_in_200", source: "courier_tests", malformed: true,
            text: "{\"messages\":[{\"status\":{\"groupId\": 2}}}"),
        // source: ib_java_sdk_test
        Body(
            carrier: "infobip", name: "send_responses.bad_request", source: "ib_java_sdk_test", malformed: false,
            text:
                "{\n  \"requestError\": {\n    \"serviceException\": {\n      \"messageId\": \"BAD_REQUEST\",\n      \"text\": \"Bad request\",\n      \"validationErrors\": {\n        \"message\": [\n          \"must not be empty\"\n        ]\n      }\n    }\n  }\n}"
        ),
        // source: ib_java_sdk_test
        Body(
            carrier: "infobip", name: "send_responses.general_error", source: "ib_java_sdk_test", malformed: false,
            text:
                "{\n  \"requestError\": {\n    \"serviceException\": {\n      \"messageId\": \"GENERAL_ERROR\",\n      \"text\": \"Something went wrong. Please contact support.\"\n    }\n  }\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "send_responses.throttled", source: "courier_tests", malformed: false,
            text: "{ \"error\": \"failed\" }"),
        // source: ib_java_sdk_test
        Body(
            carrier: "infobip", name: "inbound_messages.sms_keyword", source: "ib_java_sdk_test", malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"817790313235066447\",\n      \"from\": \"385916242493\",\n      \"to\": \"385921004026\",\n      \"text\": \"QUIZ Correct answer is Paris\",\n      \"cleanText\": \"Correct answer is Paris\",\n      \"keyword\": \"QUIZ\",\n      \"receivedAt\": \"2016-10-06T09:28:39.220+0000\",\n      \"smsCount\": 1,\n      \"price\": {\n        \"pricePerMessage\": 0,\n        \"currency\": \"EUR\"\n      },\n      \"callbackData\": \"callbackData\"\n    }\n  ],\n  \"messageCount\": 1,\n  \"pendingMessageCount\": 0\n}\n"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "inbound_messages.sms_courier", source: "courier_tests", malformed: false,
            text:
                "{\n      \"results\": [\n        {\n          \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n          \"from\": \"385916242494\",\n          \"to\": \"385921004027\",\n          \"text\": \"This is an SMS message\",\n          \"receivedAt\": \"2016-10-06T09:28:40.000+0000\",\n          \"smsCount\": 1,\n          \"price\": {\n            \"pricePerMessage\": 0,\n            \"currency\": \"EUR\"\n          }\n        }\n      ],\n      \"messageCount\": 1,\n      \"pendingMessageCount\": 0\n    }"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "inbound_messages.mms_segments", source: "courier_tests", malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"from\": \"385916242493\",\n      \"to\": \"385921004026\",\n      \"receivedAt\": \"2016-10-06T09:28:39.220+0000\",\n      \"message\": [\n        {\n          \"contentType\": \"text/plain\",\n          \"value\": \"This is message text\"\n        },\n        {\n          \"contentType\": \"image/jpeg\",\n          \"url\": \"https://examplelink.com/123456\"\n        }\n      ],\n      \"price\": {\n        \"pricePerMessage\": 0,\n        \"currency\": \"EUR\"\n      }\n    }\n  ],\n  \"messageCount\": 1,\n  \"pendingMessageCount\": 0\n}"
        ),
        // source: ib_java_sdk_test
        Body(
            carrier: "infobip", name: "status_callbacks.two_delivered_reports_batched", source: "ib_java_sdk_test",
            malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"bulkId\": \"BULK-ID-123-xyz\",\n      \"messageId\": \"MESSAGE-ID-123-xyz\",\n      \"to\": \"41793026727\",\n      \"sentAt\": \"2019-11-09T16:00:00.000+0000\",\n      \"doneAt\": \"2019-11-09T16:00:00.000+0000\",\n      \"messageCount\": 1,\n      \"price\": {\n        \"pricePerMessage\": 0.01,\n        \"currency\": \"EUR\"\n      },\n      \"status\": {\n        \"groupId\": 3,\n        \"groupName\": \"DELIVERED\",\n        \"id\": 5,\n        \"name\": \"DELIVERED_TO_HANDSET\",\n        \"description\": \"Message delivered to handset\"\n      },\n      \"error\": {\n        \"groupId\": 0,\n        \"groupName\": \"OK\",\n        \"id\": 0,\n        \"name\": \"NO_ERROR\",\n        \"description\": \"No Error\",\n        \"permanent\": false\n      }\n    },\n    {\n      \"bulkId\": \"BULK-ID-123-xyz\",\n      \"messageId\": \"12db39c3-7822-4e72-a3ec-c87442c0ffc5\",\n      \"to\": \"41793026834\",\n      \"sentAt\": \"2019-11-09T17:00:00.000+0000\",\n      \"doneAt\": \"2019-11-09T17:00:00.000+0000\",\n      \"messageCount\": 1,\n      \"price\": {\n        \"pricePerMessage\": 0.01,\n        \"currency\": \"EUR\"\n      },\n      \"status\": {\n        \"groupId\": 3,\n        \"groupName\": \"DELIVERED\",\n        \"id\": 5,\n        \"name\": \"DELIVERED_TO_HANDSET\",\n        \"description\": \"Message delivered to handset\"\n      },\n      \"error\": {\n        \"groupId\": 0,\n        \"groupName\": \"OK\",\n        \"id\": 0,\n        \"name\": \"NO_ERROR\",\n        \"description\": \"No Error\",\n        \"permanent\": false\n      }\n    }\n  ]\n}\n"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "status_callbacks.delivered_min", source: "courier_tests", malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"status\": {\n        \"groupName\": \"DELIVERED\"\n      }\n    }\n  ]\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "status_callbacks.rejected_min", source: "courier_tests", malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"status\": {\n        \"groupName\": \"REJECTED\"\n      }\n    }\n  ]\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "status_callbacks.undeliverable_min", source: "courier_tests", malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"status\": {\n        \"groupName\": \"UNDELIVERABLE\"\n      }\n    }\n  ]\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "status_callbacks.expired_min", source: "courier_tests", malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"status\": {\n        \"groupName\": \"EXPIRED\"\n      }\n    }\n  ]\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "status_callbacks.pending_twice_batched", source: "courier_tests",
            malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"status\": {\n        \"groupName\": \"PENDING\"\n      }\n    },\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"status\": {\n        \"groupName\": \"PENDING\"\n      }\n    }    \n  ]\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "infobip", name: "status_callbacks.unknown_group", source: "courier_tests", malformed: false,
            text:
                "{\n  \"results\": [\n    {\n      \"messageId\": \"0191e180-7d60-7000-aded-7d8b151cbd5b\",\n      \"status\": {\n        \"groupName\": \"UNEXPECTED\"\n      }\n    }\n  ]\n}"
        ),
        // source: mm_send
        Body(
            carrier: "messagemedia", name: "send_responses.accepted", source: "mm_send", malformed: false,
            text:
                "{\n  \"messages\": [\n    {\n      \"callback_url\": \"https://my.callback.url.com\",\n      \"content\": \"My first message!\",\n      \"destination_number\": \"+61491570156\",\n      \"delivery_report\": true,\n      \"format\": \"SMS\",\n      \"metadata\": {\n        \"key1\": \"value1\"\n      },\n      \"message_id\": \"877c19ef-fa2e-4cec-827a-e1df9b5509f7\",\n      \"status\": \"queued\"\n    }\n  ]\n}"
        ),
        // source: mm_send
        Body(
            carrier: "messagemedia", name: "send_responses.validation_error", source: "mm_send", malformed: false,
            text:
                "{\n  \"message\": \"Request failed to parse correctly. Please ensure input is valid and try again.\",\n  \"details\": [\n    \"/messages/0/destination_number: International address must be between 8 and 15 characters excluding the first '+', International address contains invalid characters.\"\n  ]\n}"
        ),
        // source: mm_send
        Body(
            carrier: "messagemedia", name: "send_responses.unauthorized", source: "mm_send", malformed: false,
            text: "{\n  \"message\": \"Invalid authentication credentials\"\n}"),
        // source: mm_webhook_payloads
        Body(
            carrier: "messagemedia", name: "inbound_messages.sms_reply_default_webhook_template",
            source: "mm_webhook_payloads", malformed: false,
            text:
                "{\n  \"account_id\": \"DeveloperPortal7000\",\n  \"reply_id\": \"a175e797-2b54-468b-9850-41a3eab32f74\",\n  \"destination_number\": \"+61491593156\",\n  \"source_number\": \"+61491570156\",\n  \"date_received\": \"2016-12-07T08:44:00.850Z\",\n  \"message_id\": \"877c19ef-fa2e-4cec-827a-e1df9b5509f7\",\n  \"content\": \"Hello Derpina\",\n  \"metadata\": {\n    \"myKey\": \"myValue\"\n  }\n}"
        ),
        // source: mm_webhook_payloads
        Body(
            carrier: "messagemedia", name: "inbound_messages.mms_reply_base64_attachment",
            source: "mm_webhook_payloads", malformed: false,
            text:
                "{\n  \"account_id\": \"DeveloperPortal7000\",\n  \"reply_id\": \"a175e797-2b54-468b-9850-41a3eab32f74\",\n  \"destination_number\": \"+61491593156\",\n  \"source_number\": \"+61491570156\",\n  \"date_received\": \"2016-12-07T08:44:00.850Z\",\n  \"message_id\": \"877c19ef-fa2e-4cec-827a-e1df9b5509f7\",\n  \"attachments\": [\n    {\n      \"content_type\": \"image/png\",\n      \"content\": \"dGVzdA==\",\n      \"original_name\": \"file.png\"\n    }\n  ],\n  \"metadata\": {\n    \"myKey\": \"myValue\"\n  }\n}"
        ),
        // source: mm_replies
        Body(
            carrier: "messagemedia", name: "inbound_messages.reply_via_callback_url", source: "mm_replies",
            malformed: false,
            text:
                "{\n    \"metadata\": {\n        \"key1\": \"value1\",\n        \"key2\": \"value2\"\n    },\n    \"message_id\": \"877c19ef-fa2e-4cec-827a-e1df9b5509f7\",\n    \"reply_id\": \"a175e797-2b54-468b-9850-41a3eab32f74\",\n    \"date_received\": \"2016-12-07T08:43:00.850Z\",\n    \"callback_url\": \"https://my.callback.url.com\",\n    \"destination_number\": \"+61491570156\",\n    \"source_number\": \"+61491570157\",\n    \"vendor_account_id\": {\n        \"vendor_id\": \"SinchEU\",\n        \"account_id\": \"MyAccount\"\n    },\n    \"content\": \"My first reply!\"\n}"
        ),
        // source: mm_dr_index
        Body(
            carrier: "messagemedia", name: "status_callbacks.delivered_callback_url_push", source: "mm_dr_index",
            malformed: false,
            text:
                "{\n  \"callback_url\":\"http://mockbin.org/bin/ac52ebd4-eca1-4c86-bf38-4dce79633906\",\n  \"delivery_report_id\":\"693e87f2-a553-4281-9ffe-ddf04cbc4bf3\",\n  \"source_number\":\"+61491570156\",\n  \"date_received\":\"2016-11-03T11:49:02.807Z\",\n  \"status\":\"delivered\",\n  \"delay\":0,\n  \"billing_units\":1,\n  \"submitted_date\":\"2016-11-03T11:49:01.551Z\",\n  \"original_text\":\"Hello world!\",\n  \"message_id\":\"389dc1a8-62a4-4110-ba61-af94806c006f\",\n  \"vendor_account_id\":{\n    \"vendor_id\":\"SinchEU\",\n    \"account_id\":\"MyAccount\"\n  },\n  \"error_code\":\"220\",\n  \"metadata\":{\n    \"key\":\"value\"\n  }\n}"
        ),
        // source: mm_webhook_payloads
        Body(
            carrier: "messagemedia", name: "status_callbacks.delivered_default_webhook_template",
            source: "mm_webhook_payloads", malformed: false,
            text:
                "{\n  \"delivery_report_id\": \"01e1fa0a-6e27-4945-9cdb-18644b4de043\",\n  \"source_number\": \"+61491570156\",\n  \"date_received\": \"2016-11-03T11:49:02.807Z\",\n  \"status\": \"delivered\",\n  \"delay\": \"0\",\n  \"submitted_date\": \"2016-11-03T11:49:02.807Z\",\n  \"message_id\": \"877c19ef-fa2e-4cec-827a-e1df9b5509f7\",\n  \"original_text\": \"Hello back\",\n  \"vendor_account_id\": {\n    \"vendor_id\": \"SinchEU\",\n    \"account_id\": \"MyAccount001\"\n  },\n  \"error_code\": \"220\",\n  \"metadata\": {\n    \"myKey\": \"myValue\"\n  }\n}"
        ),
        // source: mm_dr_check
        Body(
            carrier: "messagemedia", name: "status_callbacks.enroute", source: "mm_dr_check", malformed: false,
            text:
                "{\n  \"callback_url\": \"https://my.callback.url.com\",\n  \"delivery_report_id\": \"01e1fa0a-6e27-4945-9cdb-18644b4de043\",\n  \"source_number\": \"+61491570157\",\n  \"date_received\": \"2017-05-20T06:30:37.642Z\",\n  \"status\": \"enroute\",\n  \"delay\": 0,\n  \"billing_units\": 1,\n  \"submitted_date\": \"2017-05-20T06:30:37.639Z\",\n  \"original_text\": \"My first message!\",\n  \"message_id\": \"d781dcab-d9d8-4fb2-9e03-872f07ae94ba\",\n  \"vendor_account_id\": {\n    \"vendor_id\": \"SinchEU\",\n    \"account_id\": \"MyAccount\"\n  },\n  \"metadata\": {\n    \"key1\": \"value1\",\n    \"key2\": \"value2\"\n  }\n}"
        ),
        // source: tx_send_ref
        Body(
            carrier: "telnyx", name: "send_responses.accepted_queued", source: "tx_send_ref", malformed: false,
            text:
                "{\n  \"data\": {\n    \"record_type\": \"message\",\n    \"direction\": \"outbound\",\n    \"id\": \"40385f64-5717-4562-b3fc-2c963f66afa6\",\n    \"type\": \"MMS\",\n    \"messaging_profile_id\": \"4000eba1-a0c0-4563-9925-b25e842a7cb6\",\n    \"organization_id\": \"b448f9cc-a842-4784-98e9-03c1a5872950\",\n    \"from\": {\n      \"phone_number\": \"+18445550001\",\n      \"carrier\": \"TELNYX LLC\",\n      \"line_type\": \"VoIP\"\n    },\n    \"to\": [\n      {\n        \"phone_number\": \"+18665550001\",\n        \"status\": \"queued\",\n        \"carrier\": \"T-MOBILE USA, INC.\",\n        \"line_type\": \"Wireless\"\n      }\n    ],\n    \"cc\": [],\n    \"text\": \"Hello, World!\",\n    \"subject\": \"From Telnyx!\",\n    \"media\": [\n      {\n        \"url\": \"https://pbs.twimg.com/profile_images/1142168442042118144/AW3F4fFD_400x400.png\",\n        \"content_type\": null,\n        \"sha256\": null,\n        \"size\": null\n      }\n    ],\n    \"webhook_url\": \"https://www.example.com/hooks\",\n    \"webhook_failover_url\": \"https://backup.example.com/hooks\",\n    \"encoding\": \"GSM-7\",\n    \"parts\": 1,\n    \"tags\": [\"Greetings\"],\n    \"cost\": { \"amount\": \"0.0051\", \"currency\": \"USD\" },\n    \"cost_breakdown\": {\n      \"carrier_fee\": { \"amount\": \"0.00305\", \"currency\": \"USD\" },\n      \"rate\": { \"amount\": \"0.00205\", \"currency\": \"USD\" }\n    },\n    \"tcr_campaign_id\": \"TCPA3X7\",\n    \"tcr_campaign_billable\": true,\n    \"tcr_campaign_registered\": \"REGISTERED\",\n    \"received_at\": \"2019-01-23T18:10:02.574Z\",\n    \"sent_at\": null,\n    \"completed_at\": null,\n    \"valid_until\": null,\n    \"errors\": [],\n    \"wait_seconds\": 0.5\n  }\n}"
        ),
        // source: tx_api_errors
        Body(
            carrier: "telnyx", name: "send_responses.auth_failed", source: "tx_api_errors", malformed: false,
            text:
                "{\n  \"errors\": [\n    {\n      \"code\": \"10009\",\n      \"title\": \"Authentication failed\",\n      \"detail\": \"The required authentication headers were either invalid or not included in the request.\"\n    }\n  ]\n}"
        ),
        // source: tx_api_errors
        Body(
            carrier: "telnyx", name: "send_responses.bad_number_format", source: "tx_api_errors", malformed: false,
            text:
                "{\n  \"errors\": [\n    {\n      \"code\": \"10016\",\n      \"title\": \"Phone number must be in +E.164 format\",\n      \"detail\": \"The specified phone number parameter must be in +E.164 format.\",\n      \"source\": {\n        \"pointer\": \"/to\"\n      }\n    }\n  ]\n}"
        ),
        // source: tx_api_errors
        Body(
            carrier: "telnyx", name: "send_responses.rate_limited", source: "tx_api_errors", malformed: false,
            text:
                "{\n  \"errors\": [\n    {\n      \"code\": \"10011\",\n      \"title\": \"Too many requests\",\n      \"detail\": \"You have exceeded the maximum number of allowed requests.\"\n    }\n  ]\n}"
        ),
        // source: tx_webhooks_md
        Body(
            carrier: "telnyx", name: "inbound_messages.sms_received", source: "tx_webhooks_md", malformed: false,
            text:
                "{\n  \"data\": {\n    \"event_type\": \"message.received\",\n    \"id\": \"b301ed3f-1490-491f-995f-6e64e69674d4\",\n    \"occurred_at\": \"2024-01-15T20:16:07.588+00:00\",\n    \"payload\": {\n      \"completed_at\": null,\n      \"cost\": { \"amount\": \"0.0000\", \"currency\": \"USD\" },\n      \"direction\": \"inbound\",\n      \"encoding\": \"GSM-7\",\n      \"errors\": [],\n      \"from\": {\n        \"carrier\": \"T-Mobile USA\",\n        \"line_type\": \"long_code\",\n        \"phone_number\": \"+13125550001\"\n      },\n      \"id\": \"84cca175-9755-4859-b67f-4730d7f58aa3\",\n      \"media\": [],\n      \"messaging_profile_id\": \"740572b6-099c-44a1-89b9-6c92163bc68d\",\n      \"organization_id\": \"47a530f8-4362-4526-829b-bcee17fd9f7a\",\n      \"parts\": 1,\n      \"received_at\": \"2024-01-15T20:16:07.503+00:00\",\n      \"record_type\": \"message\",\n      \"sent_at\": null,\n      \"tags\": [],\n      \"text\": \"Hello from Telnyx!\",\n      \"to\": [\n        {\n          \"carrier\": \"Telnyx\",\n          \"line_type\": \"Wireless\",\n          \"phone_number\": \"+17735550002\",\n          \"status\": \"webhook_delivered\"\n        }\n      ],\n      \"type\": \"SMS\",\n      \"valid_until\": null,\n      \"webhook_failover_url\": null,\n      \"webhook_url\": \"https://example.com/webhooks\"\n    },\n    \"record_type\": \"event\"\n  },\n  \"meta\": {\n    \"attempt\": 1,\n    \"delivered_to\": \"https://example.com/webhooks\"\n  }\n}"
        ),
        // source: tx_webhooks_md
        Body(
            carrier: "telnyx", name: "inbound_messages.mms_received", source: "tx_webhooks_md", malformed: false,
            text:
                "{\n  \"data\": {\n    \"event_type\": \"message.received\",\n    \"id\": \"b301ed3f-1490-491f-995f-6e64e69674d4\",\n    \"occurred_at\": \"2024-01-15T20:16:07.588+00:00\",\n    \"payload\": {\n      \"completed_at\": null,\n      \"cost\": { \"amount\": \"0.0000\", \"currency\": \"USD\" },\n      \"direction\": \"inbound\",\n      \"encoding\": \"GSM-7\",\n      \"errors\": [],\n      \"from\": {\n        \"carrier\": \"T-Mobile USA\",\n        \"line_type\": \"long_code\",\n        \"phone_number\": \"+13125550001\"\n      },\n      \"id\": \"84cca175-9755-4859-b67f-4730d7f58aa3\",\n      \"media\": [\n        {\n          \"url\": \"https://media.telnyx.com/example-image.png\",\n          \"content_type\": \"image/png\",\n          \"sha256\": \"ab1c2d3e4f...\",\n          \"size\": 102400\n        }\n      ],\n      \"messaging_profile_id\": \"740572b6-099c-44a1-89b9-6c92163bc68d\",\n      \"organization_id\": \"47a530f8-4362-4526-829b-bcee17fd9f7a\",\n      \"parts\": 1,\n      \"received_at\": \"2024-01-15T20:16:07.503+00:00\",\n      \"record_type\": \"message\",\n      \"sent_at\": null,\n      \"tags\": [],\n      \"text\": \"Hello from Telnyx!\",\n      \"to\": [\n        {\n          \"carrier\": \"Telnyx\",\n          \"line_type\": \"Wireless\",\n          \"phone_number\": \"+17735550002\",\n          \"status\": \"webhook_delivered\"\n        }\n      ],\n      \"type\": \"MMS\",\n      \"valid_until\": null,\n      \"webhook_failover_url\": null,\n      \"webhook_url\": \"https://example.com/webhooks\"\n    },\n    \"record_type\": \"event\"\n  },\n  \"meta\": {\n    \"attempt\": 1,\n    \"delivered_to\": \"https://example.com/webhooks\"\n  }\n}"
        ),
        // source: tx_webhooks_md
        Body(
            carrier: "telnyx", name: "status_callbacks.message_sent", source: "tx_webhooks_md", malformed: false,
            text:
                "{\n  \"data\": {\n    \"event_type\": \"message.sent\",\n    \"id\": \"a1b2c3d4-5678-9012-abcd-ef1234567890\",\n    \"occurred_at\": \"2024-01-15T21:32:13.596+00:00\",\n    \"payload\": {\n      \"completed_at\": null,\n      \"cost\": { \"amount\": \"0.0051\", \"currency\": \"USD\" },\n      \"direction\": \"outbound\",\n      \"encoding\": \"GSM-7\",\n      \"errors\": [],\n      \"from\": {\n        \"carrier\": \"Telnyx\",\n        \"line_type\": \"Wireless\",\n        \"phone_number\": \"+13125550001\"\n      },\n      \"id\": \"ac012cbf-5e09-46af-a69a-7c0e2d90993c\",\n      \"media\": [],\n      \"messaging_profile_id\": \"83d2343b-553f-4c5f-b8c8-fd27004f94bf\",\n      \"organization_id\": \"9d76d591-1b7d-405d-8c64-1320ee070245\",\n      \"parts\": 1,\n      \"received_at\": \"2024-01-15T21:32:13.552+00:00\",\n      \"record_type\": \"message\",\n      \"sent_at\": \"2024-01-15T21:32:13.596+00:00\",\n      \"text\": \"Hello there!\",\n      \"to\": [\n        {\n          \"carrier\": \"T-MOBILE USA, INC.\",\n          \"line_type\": \"Wireless\",\n          \"phone_number\": \"+13125550002\",\n          \"status\": \"sent\"\n        }\n      ],\n      \"type\": \"SMS\",\n      \"valid_until\": \"2024-01-15T22:32:13.552+00:00\",\n      \"webhook_url\": \"https://example.com/webhooks\"\n    },\n    \"record_type\": \"event\"\n  },\n  \"meta\": {\n    \"attempt\": 1,\n    \"delivered_to\": \"https://example.com/webhooks\"\n  }\n}"
        ),
        // source: tx_webhooks_md
        Body(
            carrier: "telnyx", name: "status_callbacks.finalized_delivered", source: "tx_webhooks_md", malformed: false,
            text:
                "{\n  \"data\": {\n    \"event_type\": \"message.finalized\",\n    \"id\": \"4ee8c3a6-4995-4309-a3c6-38e3db9ea4be\",\n    \"occurred_at\": \"2024-01-15T21:32:14.148+00:00\",\n    \"payload\": {\n      \"completed_at\": \"2024-01-15T21:32:14.148+00:00\",\n      \"cost\": {\n        \"amount\": \"0.0051\",\n        \"currency\": \"USD\"\n      },\n      \"cost_breakdown\": {\n        \"carrier_fee\": { \"amount\": \"0.00305\", \"currency\": \"USD\" },\n        \"rate\": { \"amount\": \"0.00205\", \"currency\": \"USD\" }\n      },\n      \"direction\": \"outbound\",\n      \"encoding\": \"GSM-7\",\n      \"errors\": [],\n      \"from\": {\n        \"carrier\": \"Telnyx\",\n        \"line_type\": \"Wireless\",\n        \"phone_number\": \"+13125550001\",\n        \"status\": \"webhook_delivered\"\n      },\n      \"id\": \"ac012cbf-5e09-46af-a69a-7c0e2d90993c\",\n      \"media\": [],\n      \"messaging_profile_id\": \"83d2343b-553f-4c5f-b8c8-fd27004f94bf\",\n      \"organization_id\": \"9d76d591-1b7d-405d-8c64-1320ee070245\",\n      \"parts\": 1,\n      \"received_at\": \"2024-01-15T21:32:13.552+00:00\",\n      \"record_type\": \"message\",\n      \"sent_at\": \"2024-01-15T21:32:13.596+00:00\",\n      \"tags\": [\"tag-a\", \"tag-b\"],\n      \"text\": \"Hello there!\",\n      \"to\": [\n        {\n          \"carrier\": \"T-MOBILE USA, INC.\",\n          \"line_type\": \"Wireless\",\n          \"phone_number\": \"+13125550002\",\n          \"status\": \"delivered\"\n        }\n      ],\n      \"type\": \"SMS\",\n      \"valid_until\": \"2024-01-15T22:32:13.552+00:00\",\n      \"webhook_url\": \"https://example.com/webhooks\",\n      \"tcr_campaign_billable\": true,\n      \"tcr_campaign_id\": \"CNZO3VL\",\n      \"tcr_campaign_registered\": \"REGISTERED\"\n    },\n    \"record_type\": \"event\"\n  },\n  \"meta\": {\n    \"attempt\": 1,\n    \"delivered_to\": \"https://example.com/webhooks\"\n  }\n}"
        ),
        // source: tx_webhooks_md
        Body(
            carrier: "telnyx", name: "status_callbacks.finalized_delivery_failed", source: "tx_webhooks_md",
            malformed: false,
            text:
                "{\n  \"data\": {\n    \"event_type\": \"message.finalized\",\n    \"id\": \"4ee8c3a6-4995-4309-a3c6-38e3db9ea4be\",\n    \"occurred_at\": \"2024-01-15T21:32:14.148+00:00\",\n    \"payload\": {\n      \"completed_at\": \"2024-01-15T21:32:14.148+00:00\",\n      \"cost\": {\n        \"amount\": \"0.0051\",\n        \"currency\": \"USD\"\n      },\n      \"cost_breakdown\": {\n        \"carrier_fee\": { \"amount\": \"0.00305\", \"currency\": \"USD\" },\n        \"rate\": { \"amount\": \"0.00205\", \"currency\": \"USD\" }\n      },\n      \"direction\": \"outbound\",\n      \"encoding\": \"GSM-7\",\n      \"errors\": [\n        {\n          \"code\": \"40300\",\n          \"title\": \"Destination number unreachable\",\n          \"detail\": \"The destination number is not reachable on the carrier network.\",\n          \"source\": { \"pointer\": \"/to/0/phone_number\" }\n        }\n      ],\n      \"from\": {\n        \"carrier\": \"Telnyx\",\n        \"line_type\": \"Wireless\",\n        \"phone_number\": \"+13125550001\",\n        \"status\": \"webhook_delivered\"\n      },\n      \"id\": \"ac012cbf-5e09-46af-a69a-7c0e2d90993c\",\n      \"media\": [],\n      \"messaging_profile_id\": \"83d2343b-553f-4c5f-b8c8-fd27004f94bf\",\n      \"organization_id\": \"9d76d591-1b7d-405d-8c64-1320ee070245\",\n      \"parts\": 1,\n      \"received_at\": \"2024-01-15T21:32:13.552+00:00\",\n      \"record_type\": \"message\",\n      \"sent_at\": \"2024-01-15T21:32:13.596+00:00\",\n      \"tags\": [\"tag-a\", \"tag-b\"],\n      \"text\": \"Hello there!\",\n      \"to\": [\n        {\n          \"carrier\": \"T-MOBILE USA, INC.\",\n          \"line_type\": \"Wireless\",\n          \"phone_number\": \"+13125550002\",\n          \"status\": \"delivery_failed\"\n        }\n      ],\n      \"type\": \"SMS\",\n      \"valid_until\": \"2024-01-15T22:32:13.552+00:00\",\n      \"webhook_url\": \"https://example.com/webhooks\",\n      \"tcr_campaign_billable\": true,\n      \"tcr_campaign_id\": \"CNZO3VL\",\n      \"tcr_campaign_registered\": \"REGISTERED\"\n    },\n    \"record_type\": \"event\"\n  },\n  \"meta\": {\n    \"attempt\": 1,\n    \"delivered_to\": \"https://example.com/webhooks\"\n  }\n}"
        ),
        // source: tx_rcs_webhooks
        Body(
            carrier: "telnyx", name: "status_callbacks.rcs_read", source: "tx_rcs_webhooks", malformed: false,
            text:
                "{\n  \"data\": {\n    \"event_type\": \"message.read\",\n    \"id\": \"7bc4d2e1-3f89-4a12-b5c7-9e8d1a2f3b4c\",\n    \"occurred_at\": \"2024-12-09T21:35:22.000+00:00\",\n    \"payload\": {\n      \"body\": {\n        \"text\": \"Hello there!\"\n      },\n      \"direction\": \"outbound\",\n      \"from\": {\n        \"agent_id\": \"e4448a5c0670c2a9\",\n        \"agent_name\": \"My RCS Agent\"\n      },\n      \"id\": \"ac012cbf-5e09-46af-a69a-7c0e2d90993c\",\n      \"messaging_profile_id\": \"83d2343b-553f-4c5f-b8c8-fd27004f94bf\",\n      \"to\": [\n        {\n          \"phone_number\": \"+13125000000\",\n          \"status\": \"read\"\n        }\n      ],\n      \"type\": \"RCS\"\n    },\n    \"record_type\": \"event\"\n  }\n}"
        ),
        // source: recorded_201
        Body(
            carrier: "twilio", name: "send_responses.created_recorded", source: "recorded_201", malformed: false,
            text:
                "{\"sid\": \"SM304417148af644198a0efaceebc965a5\", \"date_created\": \"Fri, 31 Oct 2014 03:39:29 +0000\", \"date_updated\": \"Fri, 31 Oct 2014 03:39:29 +0000\", \"date_sent\": null, \"account_sid\": \"ACa66dd367e3772ec8696f298dd7e528a5\", \"to\": \"+15145535858\", \"from\": \"+15149002890\", \"body\": \"test A\", \"status\": \"queued\", \"num_segments\": \"1\", \"num_media\": \"0\", \"direction\": \"outbound-api\", \"api_version\": \"2010-04-01\", \"price\": null, \"price_unit\": \"USD\", \"error_code\": null, \"error_message\": null, \"uri\": \"/2010-04-01/Accounts/ACa66dd367e3772ec8696f298dd7e528a5/Messages/SM304417148af644198a0efaceebc965a5.json\", \"subresource_uris\": {\"media\": \"/2010-04-01/Accounts/ACa66dd367e3772ec8696f298dd7e528a5/Messages/SM304417148af644198a0efaceebc965a5/Media.json\"}}"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "send_responses.minimal_mock", source: "courier_tests", malformed: false,
            text: "{ \"sid\": \"1002\" }"),
        // source: error_json
        Body(
            carrier: "twilio", name: "send_responses.invalid_to_number", source: "error_json", malformed: false,
            text:
                "{\n\"code\": 21211,\n\"message\": \"The 'To' number 5551234567 is not a valid phone number.\",\n\"more_info\": \"https://www.twilio.com/docs/errors/21211\",\n\"status\": 400\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "send_responses.unsubscribed_recipient", source: "courier_tests", malformed: false,
            text: "{ \"code\": 21610 }"),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "send_responses.throttled", source: "courier_tests", malformed: false,
            text: "{ \"code\": 20429, \"message\": \"Too Many Requests\" }"),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "send_responses.unknown_code", source: "courier_tests", malformed: false,
            text: "{ \"code\": 1001 }"),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "send_responses.non_twilio_error_shape", source: "courier_tests", malformed: false,
            text: "{ \"error\": \"out of credits\" }"),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "send_responses.2xx_without_sid", source: "courier_tests", malformed: false,
            text: "{ }"),
        // source: vonage_oas
        Body(
            carrier: "vonage", name: "send_responses.success_full", source: "vonage_oas", malformed: false,
            text:
                "{\n  \"message-count\": \"1\",\n  \"messages\": [\n    {\n      \"to\": \"447700900000\",\n      \"message-id\": \"0A0000000123ABCD1\",\n      \"status\": \"0\",\n      \"remaining-balance\": \"3.14159265\",\n      \"message-price\": \"0.03330000\",\n      \"network\": \"12345\",\n      \"client-ref\": \"my-personal-reference\",\n      \"account-ref\": \"customer1234\"\n    }\n  ]\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "send_responses.success_mock", source: "courier_tests", malformed: false,
            text: "{\"messages\":[{\"status\":\"0\",\"message-id\":\"1002\"}]}"),
        // source: vonage_oas
        Body(
            carrier: "vonage", name: "send_responses.error_in_http_200", source: "vonage_oas", malformed: false,
            text:
                "{\n  \"message-count\": \"1\",\n  \"messages\": [\n    {\n      \"status\": \"2\",\n      \"error-text\": \"Missing to param\"\n    }\n  ]\n}"
        ),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "send_responses.too_many_binds", source: "courier_tests", malformed: false,
            text: "{\"messages\":[{\"status\":\"10\"}]}"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "send_responses.throttled_in_body", source: "courier_tests", malformed: false,
            text:
                "{\"messages\":[{\"status\":\"1\",\"error-text\":\"Throughput Rate Exceeded - please wait [ 250 ] and retry\"}]}"
        ),
        // source: vonage_oas
        Body(
            carrier: "vonage", name: "inbound_messages.post_json_full", source: "vonage_oas", malformed: false,
            text:
                "{\n  \"api-key\": \"abcd1234\",\n  \"msisdn\": \"447700900001\",\n  \"to\": \"447700900000\",\n  \"messageId\": \"0A0000000123ABCD1\",\n  \"text\": \"Hello world\",\n  \"type\": \"text\",\n  \"keyword\": \"HELLO\",\n  \"message-timestamp\": \"2020-01-01 12:00:00\",\n  \"timestamp\": \"1578787200\",\n  \"nonce\": \"aaaaaaaa-bbbb-cccc-dddd-0123456789ab\"\n}"
        ),
        // source: vonage_oas
        Body(
            carrier: "vonage", name: "inbound_messages.concatenated_part_2_of_3", source: "vonage_oas",
            malformed: false,
            text:
                "{\n  \"api-key\": \"abcd1234\",\n  \"msisdn\": \"447700900001\",\n  \"to\": \"447700900000\",\n  \"messageId\": \"0A0000000123ABCD1\",\n  \"text\": \"Hello world\",\n  \"type\": \"text\",\n  \"keyword\": \"HELLO\",\n  \"message-timestamp\": \"2020-01-01 12:00:00\",\n  \"timestamp\": \"1578787200\",\n  \"nonce\": \"aaaaaaaa-bbbb-cccc-dddd-0123456789ab\",\n  \"concat\": \"true\",\n  \"concat-ref\": \"1\",\n  \"concat-total\": \"3\",\n  \"concat-part\": \"2\"\n}"
        ),
        // source: vonage_oas
        Body(
            carrier: "vonage", name: "status_callbacks.delivered_json_signed", source: "vonage_oas", malformed: false,
            text:
                "{\n  \"msisdn\": \"447700900000\",\n  \"to\": \"AcmeInc\",\n  \"network-code\": \"12345\",\n  \"messageId\": \"0A0000001234567B\",\n  \"price\": \"0.03330000\",\n  \"status\": \"delivered\",\n  \"scts\": \"2001011400\",\n  \"err-code\": \"0\",\n  \"api-key\": \"abcd1234\",\n  \"client-ref\": \"my-personal-reference\",\n  \"message-timestamp\": \"2020-01-01 12:00:00\",\n  \"timestamp\": \"1582650446\",\n  \"nonce\": \"ec11dd3e-1e7f-4db5-9467-82b02cd223b9\",\n  \"sig\": \"1A20E4E2069B609FDA6CECA9DE18D5CAFE99720DDB628BD6BE8B19942A336E1C\"\n}"
        ),
        // source: prismatic_example
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.accepted_with_contacts", source: "prismatic_example",
            malformed: false,
            text:
                "{\n    \"messaging_product\": \"whatsapp\",\n    \"contacts\": [\n      {\n        \"input\": \"16505555555\",\n        \"wa_id\": \"16505555555\"\n      }\n    ],\n    \"messages\": [\n      {\n        \"id\": \"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA\"\n      }\n    ]\n  }"
        ),
        // source: courier_wa_tests
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.courier_mock", source: "courier_wa_tests",
            malformed: false,
            text: "{ \"messages\": [{\"id\": \"157b5e14568e8\"}] }"),
        // source: courier_wa_tests
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.with_user_id", source: "courier_wa_tests",
            malformed: false,
            text:
                "{ \"contacts\": [{\"input\": \"250788123123\", \"user_id\": \"US.1234\"}], \"messages\": [{\"id\": \"157b5e14568e8\"}] }"
        ),
        // source: courier_wa_tests
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.pair_rate_limit", source: "courier_wa_tests",
            malformed: false,
            text:
                "{ \"error\": {\"message\": \"(#131056) (Business Account, Consumer Account) pair rate limit hit\",\"code\": 131056 }}"
        ),
        // source: courier_wa_tests
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.cloud_api_throttled", source: "courier_wa_tests",
            malformed: false,
            text: "{ \"error\": {\"message\": \"(#130429) Rate limit hit\",\"code\": 130429 }}"),
        // source: courier_wa_tests
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.http_429_graph", source: "courier_wa_tests",
            malformed: false,
            text: "{ \"error\": {\"message\": \"Calls to this api have exceeded the rate limit\",\"code\": 613 }}"),
        // source: courier_wa_tests
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.media_upload_error", source: "courier_wa_tests",
            malformed: false,
            text: "{ \"error\": {\"message\": \"Media upload error\",\"code\": 131053 }}"),
        // source: courier_wa_tests
        Body(
            carrier: "whatsapp_cloud", name: "send_responses.policy_block", source: "courier_wa_tests",
            malformed: false,
            text: "{ \"error\": {\"message\": \"(#368) Temporarily blocked for policies violations\",\"code\": 368 }}"),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "inbound_messages.text", source: "courier_wa_testdata", malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"messages\": [\n              {\n                \"from\": \"5678\",\n                \"id\": \"external_id\",\n                \"timestamp\": \"1454119029\",\n                \"text\": {\n                  \"body\": \"Hello World\"\n                },\n                \"type\": \"text\"\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "inbound_messages.image_with_caption", source: "courier_wa_testdata",
            malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"messages\": [\n              {\n                \"from\": \"5678\",\n                \"id\": \"external_id\",\n                \"image\": {\n                  \"file\": \"/usr/local/wamedia/shared/b1cf38-8734-4ad3-b4a1-ef0c10d0d683\",\n                  \"id\": \"id_image\",\n                  \"mime_type\": \"image/jpeg\",\n                  \"sha256\": \"29ed500fa64eb55fc19dc4124acb300e5dcc54a0f822a301ae99944db\",\n                  \"caption\": \"Check out my new phone!\"\n                },\n                \"timestamp\": \"1454119029\",\n                \"type\": \"image\"\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "inbound_messages.location", source: "courier_wa_testdata",
            malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"messages\": [\n              {\n                \"from\": \"5678\",\n                \"id\": \"external_id\",\n                \"location\": {\n                  \"address\": \"Main Street Beach, Santa Cruz, CA\",\n                  \"latitude\": 0.000000,\n                  \"longitude\": 1.000000,\n                  \"name\": \"Main Street Beach\",\n                  \"url\": \"https://foursquare.com/v/4d7031d35b5df7744\"\n                },\n                \"timestamp\": \"1454119029\",\n                \"type\": \"location\"\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "inbound_messages.interactive_button_reply", source: "courier_wa_testdata",
            malformed: false,
            text:
                "{\n    \"object\": \"whatsapp_business_account\",\n    \"entry\": [\n        {\n            \"id\": \"8856996819413533\",\n            \"changes\": [\n                {\n                    \"value\": {\n                        \"messaging_product\": \"whatsapp\",\n                        \"metadata\": {\n                            \"display_phone_number\": \"+250 788 123 200\",\n                            \"phone_number_id\": \"1234567890\"\n                        },\n                        \"contacts\": [\n                            {\n                                \"profile\": {\n                                    \"name\": \"Kerry Fisher\"\n                                },\n                                \"wa_id\": \"5678\"\n                            }\n                        ],\n                        \"messages\": [\n                            {\n                                \"from\": \"5678\",\n                                \"id\": \"external_id\",\n                                \"interactive\": {\n                                    \"type\": \"button_reply\",\n                                    \"button_reply\": {\n                                        \"id\": \"id_button_reply\",\n                                        \"title\": \"Yes\"\n                                    }\n                                },\n                                \"timestamp\": \"1454119029\",\n                                \"type\": \"interactive\"\n                            }\n                        ]\n                    },\n                    \"field\": \"messages\"\n                }\n            ]\n        }\n    ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "inbound_messages.unsupported_type_with_errors",
            source: "courier_wa_testdata", malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"messages\": [\n              {\n                \"from\": \"5678\",\n                \"id\": \"external_id\",\n                \"timestamp\": \"1454119029\",\n                \"text\": {\n                  \"body\": \"Hello World\"\n                },\n                \"type\": \"unsupported\",\n                \"errors\": [\n                  {\n                    \"code\": 131051,\n                    \"details\": \"Message type is not currently supported\",\n                    \"title\": \"Unsupported message type\"\n                  }\n                ]\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "status_callbacks.sent_with_pricing", source: "courier_wa_testdata",
            malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"statuses\": [\n              {\n                \"id\": \"external_id\",\n                \"recipient_id\": \"5678\",\n                \"status\": \"sent\",\n                \"timestamp\": \"1454119029\",\n                \"type\": \"message\",\n                \"conversation\": {\n                  \"id\": \"CONVERSATION_ID\",\n                  \"expiration_timestamp\": 1454119029,\n                  \"origin\": {\n                    \"type\": \"referral_conversion\"\n                  }\n                },\n                \"pricing\": {\n                  \"pricing_model\": \"CBP\",\n                  \"billable\": false,\n                  \"category\": \"referral_conversion\"\n                }\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "status_callbacks.delivered", source: "courier_wa_testdata",
            malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"statuses\": [\n              {\n                \"id\": \"external_id\",\n                \"recipient_id\": \"5678\",\n                \"status\": \"delivered\",\n                \"timestamp\": \"1454119029\",\n                \"type\": \"message\",\n                \"conversation\": {\n                  \"id\": \"CONVERSATION_ID\",\n                  \"expiration_timestamp\": 1454119029,\n                  \"origin\": {\n                    \"type\": \"referral_conversion\"\n                  }\n                },\n                \"pricing\": {\n                  \"pricing_model\": \"CBP\",\n                  \"billable\": false,\n                  \"category\": \"referral_conversion\"\n                }\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "status_callbacks.read", source: "courier_wa_testdata", malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"statuses\": [\n              {\n                \"id\": \"external_id\",\n                \"recipient_id\": \"5678\",\n                \"status\": \"read\",\n                \"timestamp\": \"1454119029\",\n                \"type\": \"message\",\n                \"conversation\": {\n                  \"id\": \"CONVERSATION_ID\",\n                  \"expiration_timestamp\": 1454119029,\n                  \"origin\": {\n                    \"type\": \"referral_conversion\"\n                  }\n                },\n                \"pricing\": {\n                  \"pricing_model\": \"CBP\",\n                  \"billable\": false,\n                  \"category\": \"referral_conversion\"\n                }\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "status_callbacks.failed_media_404", source: "courier_wa_testdata",
            malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"statuses\": [\n              {\n                \"id\": \"external_id\",\n                \"recipient_id\": \"5678\",\n                \"status\": \"failed\",\n                \"timestamp\": \"1454119029\",\n                \"type\": \"message\",\n                \"conversation\": {\n                  \"id\": \"CONVERSATION_ID\",\n                  \"expiration_timestamp\": 1454119029,\n                  \"origin\": {\n                    \"type\": \"referral_conversion\"\n                  }\n                },\n                \"pricing\": {\n                  \"pricing_model\": \"CBP\",\n                  \"billable\": false,\n                  \"category\": \"referral_conversion\"\n                },\n                \"errors\": [\n                  {\n                    \"code\": 131014,\n                    \"title\": \"Request for url https://URL.jpg failed with error: 404 (Not Found)\"\n                  }\n                ]\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
        // source: courier_wa_testdata
        Body(
            carrier: "whatsapp_cloud", name: "status_callbacks.deleted_ignored", source: "courier_wa_testdata",
            malformed: false,
            text:
                "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [\n    {\n      \"id\": \"8856996819413533\",\n      \"changes\": [\n        {\n          \"value\": {\n            \"messaging_product\": \"whatsapp\",\n            \"metadata\": {\n              \"display_phone_number\": \"+250 788 123 200\",\n              \"phone_number_id\": \"1234567890\"\n            },\n            \"contacts\": [\n              {\n                \"profile\": {\n                  \"name\": \"Kerry Fisher\"\n                },\n                \"wa_id\": \"5678\"\n              }\n            ],\n            \"statuses\": [\n              {\n                \"id\": \"external_id\",\n                \"recipient_id\": \"5678\",\n                \"status\": \"deleted\",\n                \"timestamp\": \"1454119029\",\n                \"type\": \"message\",\n                \"conversation\": {\n                  \"id\": \"CONVERSATION_ID\",\n                  \"expiration_timestamp\": 1454119029,\n                  \"origin\": {\n                    \"type\": \"referral_conversion\"\n                  }\n                },\n                \"pricing\": {\n                  \"pricing_model\": \"CBP\",\n                  \"billable\": false,\n                  \"category\": \"referral_conversion\"\n                }\n              }\n            ]\n          },\n          \"field\": \"messages\"\n        }\n      ]\n    }\n  ]\n}"
        ),
    ]

    static let form: [Body] = [
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "inbound_messages.mo_iso_date", source: "courier_tests", malformed: false,
            text:
                "linkId=03090445075804249226&text=Msg&to=21512&id=ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3&date=2017-05-03T06%3A04%3A45Z&from=%2B254791541111"
        ),
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "inbound_messages.mo_space_date", source: "courier_tests",
            malformed: false,
            text:
                "linkId=03090445075804249226&text=Msg&to=21512&id=ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3&date=2017-05-03+06%3A04%3A45&from=%2B254791541111"
        ),
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "status_callbacks.success", source: "courier_tests", malformed: false,
            text: "id=ATXid_dda018a640edfcc5d2ce455de3e4a6e7&status=Success"),
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "status_callbacks.expired", source: "courier_tests", malformed: false,
            text: "id=ATXid_dda018a640edfcc5d2ce455de3e4a6e7&status=Expired"),
        // source: constructed
        Body(
            carrier: "africastalking", name: "status_callbacks.failed_with_reason", source: "constructed",
            malformed: false,
            text:
                "id=ATXid_dda018a640edfcc5d2ce455de3e4a6e7&status=Failed&phoneNumber=%2B254711XXXYYY&networkCode=63902&failureReason=UserInBlackList&retryCount=0"
        ),
        // source: courier_tests
        Body(
            carrier: "africastalking", name: "status_callbacks.unknown_value", source: "courier_tests",
            malformed: false,
            text: "id=ATXid_dda018a640edfcc5d2ce455de3e4a6e7&status=Borked"),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "inbound_messages.sms_text", source: "courier_tests", malformed: false,
            text:
                "ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b&NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA&SmsStatus=received&FromCity=CHICOPEE&Body=Msg&FromCountry=US&To=%2B12028831111&ToZip=&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "inbound_messages.mms_text_and_two_media", source: "courier_tests",
            malformed: false,
            text:
                "ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b&NumMedia=2&ToCity=&Body=Msg&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA&SmsStatus=received&FromCity=CHICOPEE&FromCountry=US&To=%2B12028831111&ToZip=&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01&MediaUrl0=cat.jpg&MediaUrl1=dog.jpg"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "inbound_messages.mms_media_only_no_Body_key", source: "courier_tests",
            malformed: false,
            text:
                "ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b&NumMedia=2&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA&SmsStatus=received&FromCity=CHICOPEE&FromCountry=US&To=%2B12028831111&ToZip=&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01&MediaUrl0=cat.jpg&MediaUrl1=dog.jpg"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "inbound_messages.short_code_to_messaging_service", source: "courier_tests",
            malformed: false,
            text:
                "ToCountry=US&ToState=&SmsMessageSid=SMbbf29aeb9d380ce2a1c0ae4635ff9dab&NumMedia=0&ToCity=&FromZip=27609&SmsSid=SMbbf29aeb9d380ce2a1c0ae4635ff9dab&FromState=NC&SmsStatus=received&FromCity=RALEIGH&Body=John+Cruz&FromCountry=US&To=384387&ToZip=&NumSegments=1&MessageSid=SMbbf29aeb9d380ce2a1c0ae4635ff9dab&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "inbound_messages.whatsapp_prefixed_addresses", source: "courier_tests",
            malformed: false,
            text:
                "ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b&NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA&SmsStatus=received&FromCity=CHICOPEE&Body=Msg&FromCountry=US&To=whatsapp:%2B12028831111&ToZip=&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=whatsapp:%2B14133881111&ApiVersion=2010-04-01"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "inbound_messages.body_looks_base64", source: "courier_tests", malformed: false,
            text:
                "ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b&NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA&SmsStatus=received&FromCity=CHICOPEE&Body=QmFubm9uIEV4cGxhaW5zIFRoZSBXb3JsZCAuLi4K4oCcVGhlIENhbXAgb2YgdGhlIFNhaW50c%2BKA&FromCountry=US&To=%2B12028831111&ToZip=&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "status_callbacks.delivered", source: "courier_tests", malformed: false,
            text: "MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=delivered"),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "status_callbacks.read_whatsapp", source: "courier_tests", malformed: false,
            text: "MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=read"),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "status_callbacks.sent_via_messaging_service_full_params", source: "courier_tests",
            malformed: false,
            text:
                "SmsStatus=sent&MessageStatus=sent&To=2021&MessagingServiceSid=MGdb23ec0f89ee2632e46e91d8128f5e2b&MessageSid=SM0b6e2697aae04182a9f5b5c7a8994c7f&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "status_callbacks.failed_recipient_opted_out", source: "courier_tests",
            malformed: false,
            text: "ErrorCode=21610&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=failed&To=%2B12028831111"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "status_callbacks.failed_rate_limited_whatsapp", source: "courier_tests",
            malformed: false,
            text: "MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=failed&ErrorCode=63018"),
        // source: constructed
        Body(
            carrier: "twilio", name: "status_callbacks.undelivered_with_error", source: "constructed", malformed: false,
            text:
                "MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=undelivered&ErrorCode=30003&To=%2B12028831111"
        ),
        // source: courier_tests
        Body(
            carrier: "twilio", name: "status_callbacks.unknown_status_value", source: "courier_tests", malformed: false,
            text: "MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=huh"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "inbound_messages.post_form", source: "courier_tests", malformed: false,
            text: "to=2020&msisdn=2349067554729&text=Join&messageId=external1"),
    ]

    static let query: [Body] = [
        // source: courier_tests
        Body(
            carrier: "kannel", name: "inbound_messages.mo_query_string", source: "courier_tests", malformed: false,
            text: "backend=NIG_MTN&sender=%2B2349067554729&message=Join&ts=1493735509&id=asdf-asdf&to=24453"),
        // source: courier_tests
        Body(
            carrier: "kannel", name: "inbound_messages.mo_empty_text", source: "courier_tests", malformed: false,
            text: "backend=NIG_MTN&sender=%2B2349067554729&message=&ts=1493735509&id=asdf-asdf&to=24453"),
        // source: courier_tests
        Body(
            carrier: "kannel", name: "status_callbacks.delivered_to_phone", source: "courier_tests", malformed: false,
            text: "uuid=019a06fa-467d-7786-b9cb-5b42177cd53f&status=1"),
        // source: courier_tests
        Body(
            carrier: "kannel", name: "status_callbacks.queued_on_smsc", source: "courier_tests", malformed: false,
            text: "uuid=019a06fa-467d-7786-b9cb-5b42177cd53f&status=4"),
        // source: courier_tests
        Body(
            carrier: "kannel", name: "status_callbacks.delivered_to_smsc", source: "courier_tests", malformed: false,
            text: "uuid=019a06fa-467d-7786-b9cb-5b42177cd53f&status=8"),
        // source: courier_tests
        Body(
            carrier: "kannel", name: "status_callbacks.unknown_0x42", source: "courier_tests", malformed: false,
            text: "uuid=019a06fa-467d-7786-b9cb-5b42177cd53f&status=66"),
        // source: constructed
        Body(
            carrier: "kannel", name: "status_callbacks.non_delivered_to_phone", source: "constructed", malformed: false,
            text: "uuid=019a06fa-467d-7786-b9cb-5b42177cd53f&status=2"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "inbound_messages.get_query_string", source: "courier_tests", malformed: false,
            text: "to=2020&msisdn=2349067554729&text=Join&messageId=external1"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "status_callbacks.delivered_get", source: "courier_tests", malformed: false,
            text: "to=2020&messageId=external1&status=delivered&err-code=0"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "status_callbacks.expired_get", source: "courier_tests", malformed: false,
            text: "to=2020&messageId=external1&status=expired&err-code=0"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "status_callbacks.failed_anti_spam", source: "courier_tests", malformed: false,
            text: "to=2020&messageId=external1&status=failed&err-code=6"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "status_callbacks.accepted", source: "courier_tests", malformed: false,
            text: "to=2020&messageId=external1&status=accepted"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "status_callbacks.buffered", source: "courier_tests", malformed: false,
            text: "to=2020&messageId=external1&status=buffered"),
        // source: courier_tests
        Body(
            carrier: "vonage", name: "status_callbacks.unexpected_value", source: "courier_tests", malformed: false,
            text: "to=2020&messageId=external1&status=unexpected"),
    ]
}
