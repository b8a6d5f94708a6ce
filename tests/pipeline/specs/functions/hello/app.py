# A function's code for the spec cases (functions.yaml); never run by them.
def handler(event, context):
    return {"hello": event.get("name", "world")}
