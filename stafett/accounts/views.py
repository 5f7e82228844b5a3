def locked_out(request, credentials, *args, **kwargs):  # placeholder, replaced below
    raise NotImplementedError
